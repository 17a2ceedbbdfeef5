"""Batch import of voter lists (issue: "Batch import of voter lists at province scale").

The pipeline, one module per stage, each testable alone:

    reader.read_table(data, filename, sheet=None) -> Table      file bytes → text columns
    columns.match_header(...)                                    find the header, map synonyms
    validate.validate(table, context) -> Checked                 vectorised (polars) checks
    commit.commit(checked, run=..., ...) -> Outcome              set-based load, all or nothing
    report.error_workbook(checked, outcome) -> bytes             what the registrar downloads
    importer.process(run)                                        the ImportRun kind "voters"

See docs/decisions/0017-voter-import-pipeline.md.
"""

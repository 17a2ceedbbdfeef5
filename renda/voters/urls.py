from django.urls import path

from renda.voters.views import (
    appeals,
    certificates,
    changes,
    county_districts,
    elections,
    imports,
    lists,
    register,
    selfservice,
    transfers,
)

app_name = "voters"
urlpatterns = [
    # the register (views/register.py)
    path("", register.voter_list, name="list"),
    path("new/", register.voter_register, name="register"),
    path("check-id/", register.check_id, name="check_id"),
    path("<int:pk>/", register.voter_detail, name="detail"),
    path("<int:pk>/edit/", register.voter_correct, name="correct"),
    path("<int:pk>/remove/", changes.voter_remove, name="remove"),
    path("<int:pk>/restore/", changes.voter_restore, name="restore"),
    path("<int:pk>/not-listed/", changes.voter_not_listed, name="not_listed"),
    path("<int:pk>/suspend/", changes.voter_suspend, name="suspend"),
    path("<int:pk>/reinstate/", changes.voter_reinstate, name="reinstate"),
    path("<int:pk>/mobile-box/", changes.voter_mobile_box, name="mobile_box"),
    path("<int:pk>/proxy/", changes.proxy_create, name="proxy"),
    path("<int:pk>/proxy/holders/", changes.holder_search, name="holder_search"),
    path("proxies/<int:pk>/revoke/", changes.proxy_revoke, name="proxy_revoke"),
    path("<int:pk>/reveal-id/", register.reveal_id, name="reveal_id"),
    # batch import (views/imports.py)
    path("import/", imports.voter_import, name="import"),
    path("import/template.xlsx", imports.voter_import_template, name="import_template"),
    path("import/<int:pk>/columns/", imports.voter_import_columns, name="import_columns"),
    # elections and working days (views/elections.py)
    path("elections/", elections.election_list, name="elections"),
    path("elections/new/", elections.election_create, name="election_create"),
    path("elections/<int:pk>/", elections.election_detail, name="election_detail"),
    path("elections/<int:pk>/edit/", elections.election_edit, name="election_edit"),
    path("holidays/", elections.holidays, name="holidays"),
    # county-level districts of an election (views/county_districts.py)
    path(
        "elections/<int:pk>/county-districts/new/",
        county_districts.county_district_create,
        name="county_district_create",
    ),
    path(
        "elections/county-districts/<int:pk>/edit/",
        county_districts.county_district_edit,
        name="county_district_edit",
    ),
    path(
        "elections/county-districts/<int:pk>/delete/",
        county_districts.county_district_delete,
        name="county_district_delete",
    ),
    path(
        "elections/county-districts/<int:pk>/parts/",
        county_districts.county_district_parts,
        name="county_district_parts",
    ),
    # publication (views/lists.py)
    path("lists/", lists.list_overview, name="lists"),
    path("lists/district/<int:code>/", lists.district_lists, name="district_lists"),
    path("lists/district/<int:code>/publish/", lists.publish_first, name="publish"),
    path(
        "lists/district/<int:code>/supplement/", lists.publish_supplement, name="publish_supplement"
    ),
    path("lists/district/<int:code>/cards.pdf", lists.voter_cards_pdf, name="cards_pdf"),
    path("lists/<int:pk>/", lists.list_detail, name="list_detail"),
    path("lists/<int:pk>/list.pdf", lists.list_pdf, name="list_pdf"),
    path("lists/<int:pk>/list.xlsx", lists.list_xlsx, name="list_xlsx"),
    # appeals (views/appeals.py)
    path("appeals/", appeals.appeal_list, name="appeals"),
    path("appeals/new/<int:list_pk>/", appeals.appeal_create, name="appeal_create"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/decide/", appeals.appeal_decide, name="appeal_decide"),
    # certificates (views/certificates.py)
    path("certificates/", certificates.certificate_list, name="certificates"),
    path("<int:pk>/certificate/", certificates.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>/", certificates.certificate_detail, name="certificate_detail"),
    path(
        "certificates/<int:pk>/certificate.pdf",
        certificates.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/<int:pk>/revoke/", certificates.certificate_revoke, name="certificate_revoke"
    ),
    # transfers between districts and registration conflicts (views/transfers.py)
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/new/", transfers.transfer_request, name="transfer_request"),
    path("<int:pk>/transfer-out/", transfers.transfer_start, name="transfer_start"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/confirm/", transfers.transfer_confirm, name="transfer_confirm"),
    path("transfers/<int:pk>/refuse/", transfers.transfer_refuse, name="transfer_refuse"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("conflicts/", transfers.conflict_list, name="conflicts"),
    path("conflicts/<int:pk>/transfer/", transfers.conflict_transfer, name="conflict_transfer"),
    path("conflicts/<int:pk>/dismiss/", transfers.conflict_dismiss, name="conflict_dismiss"),
    # the self-service review queue (views/selfservice.py; the public pages: urls_public.py)
    path("self-service/", selfservice.selfservice_list, name="selfservice"),
    path("self-service/<int:pk>/", selfservice.selfservice_detail, name="selfservice_detail"),
    path(
        "self-service/<int:pk>/accept/", selfservice.selfservice_accept, name="selfservice_accept"
    ),
    path(
        "self-service/<int:pk>/reject/", selfservice.selfservice_reject, name="selfservice_reject"
    ),
    path(
        "self-service/<int:pk>/transfer/",
        selfservice.selfservice_transfer,
        name="selfservice_transfer",
    ),
    path(
        "self-service/<int:pk>/evidence/",
        selfservice.selfservice_evidence,
        name="selfservice_evidence",
    ),
]

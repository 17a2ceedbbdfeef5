"""Every write to the voter register. Views, commands, tasks and the API all come through here.

Split by subject: elections, the register itself, certificates, publication, appeals.
"""

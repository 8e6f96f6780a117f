from gorodok_services.appeals.models import Appeal
from gorodok_services.appeals.selectors import appeal_detail


def reloaded(appeal: Appeal) -> Appeal:
    """The changed appeal read back through the detail selector: its relations and history are loaded
    as they are now (a request's dataloaders may have cached them before this mutation), and its dates
    come from the database, in UTC."""
    return appeal_detail().get(pk=appeal.pk)

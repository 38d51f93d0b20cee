"""This app's newer rows of the access matrix (the first ones are in
bangfu/core/tests/test_access_matrix.py): the person search, erasure and export."""

from bangfu.core.tests.matrix import Row, cells, everyone


def _person(w):
    """A teacher of 汐子中学 (the recipient school)."""
    from bangfu.orgs.models import Person

    person = Person(name="张老师", organisation=w.xizi, kind="teacher")
    person.set_id_number("11010519491231002X")
    person.set_phone("13812345678")
    person.refresh_search()
    person.save()
    return person


# Erasure: the person's own school and the coordinator of its region (宁城县 is
# the 石景山区 coordinator's partner region, not its own).
ERASE = cells(outsider=404, helper=403, recipient=200, coordinator=403, other_coordinator=404)

ROWS = [
    # The search is POSTed and kept in the session: sent back to the list under a key.
    Row("orgs:person_list", label="search", post=everyone(302)),
    Row("orgs:person_erase", kwargs=lambda w: {"pk": _person(w).pk}, get=ERASE, post=ERASE),
    # Exporting personal data needs a per-user grant nobody in the matrix holds.
    Row("orgs:person_export", get=everyone(403), post=everyone(403)),
]

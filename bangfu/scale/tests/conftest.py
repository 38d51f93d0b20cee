import pytest

from conftest import World, make_region


@pytest.fixture
def scale_world(db):
    """Two provinces of three counties each: enough for the tiny scale, no registry load."""
    world = World()
    world.counties = []
    for pcode, pname in (("440000", "广东省"), ("520000", "贵州省")):
        province = make_region(pname, 1, code=pcode)
        prefecture = make_region(f"{pname[:2]}某市", 2, province, code=pcode[:2] + "0100")
        for k in range(1, 4):
            world.counties.append(
                make_region(f"{pname[:2]}某县{k}", 3, prefecture, code=f"{pcode[:2]}010{k}")
            )
    world.recipient_province = province
    return world

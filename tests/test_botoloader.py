"""ssoenv's botocore loader knows exactly the services botocore's own loader lists."""

import json
import os

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader

from ssoenv.sso.botoloader import ServiceLoader

TYPES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")


@pytest.fixture
def loaders(tmp_path):
    """botocore's loader and ssoenv's, on a search path of an extra directory (as
    AWS_DATA_PATH adds one) before botocore's own data."""
    extra = tmp_path / "models"

    def model(rel):
        path = extra / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"metadata": {}, "operations": {}, "shapes": {}}))

    model("custom/2020-01-01/service-2.json")
    model("rules-only/2020-01-01/endpoint-rule-set-1.json")
    model("zipped/2020-01-01/paginators-1.json.gz")  # a name only, as botocore checks it
    model("sso/2019-06-10/waiters-2.json")  # a type botocore ships none of for sso
    (extra / "empty").mkdir()
    (extra / "versions-are-files").mkdir()
    (extra / "versions-are-files" / "service-2.json").write_text("{}")
    (extra / "a-file").write_text("")
    base = Loader(extra_search_paths=[str(extra), str(tmp_path / "missing")])
    return base, ServiceLoader.like(base)


ODD_NAMES = [
    "custom",
    "rules-only",
    "zipped",
    "empty",
    "versions-are-files",
    "a-file",
    "missing",
    "nope",
    "",
    ".",
    "..",
    "sso/../sts",
    "../models/custom",
    "SSO",
    "sso ",
    None,
    1,
]


@pytest.mark.parametrize("type_name", TYPES)
def test_it_knows_the_services_botocores_loader_lists(loaders, type_name):
    base, ours = loaders
    listed = base.list_available_services(type_name)
    assert {"sso", "sso-oidc", "sts"} <= set(listed) or type_name == "waiters-2"
    known = ours.list_available_services(type_name)
    assert list(known) == listed
    assert len(known) == len(listed) and known[0] == listed[0]
    for name in listed + ODD_NAMES:
        assert (name in known) == (name in listed), name


def test_an_unknown_service_fails_as_it_does_in_botocore(loaders):
    base, ours = loaders
    with pytest.raises(UnknownServiceError) as theirs:
        base.load_service_model("nope", "service-2")
    with pytest.raises(UnknownServiceError) as mine:
        ours.load_service_model("nope", "service-2")
    assert str(mine.value) == str(theirs.value)


def test_it_reads_the_models_botocores_loader_reads(loaders):
    base, ours = loaders
    for service in ("sso", "sso-oidc", "sts", "custom"):
        assert ours.load_service_model(service, "service-2") == base.load_service_model(
            service, "service-2"
        )
    assert ours.search_paths == base.search_paths
    assert os.path.isdir(ours.search_paths[-1])  # botocore's own data comes last

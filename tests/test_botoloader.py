"""ssoenv's botocore loader knows exactly the services botocore's own loader lists."""

import gzip
import json
import os

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader
from botocore.regions import EndpointResolver

from ssoenv.sso.botoloader import ENDPOINT_SERVICES, ServiceLoader

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


# ---- endpoint data -------------------------------------------------------------------------

# Every combination of the endpoint variants botocore resolves.
VARIANTS = [
    {"use_dualstack_endpoint": dual, "use_fips_endpoint": fips}
    for dual in (False, True)
    for fips in (False, True)
]


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def reads_of(loader):
    """Count the endpoint files `loader` parses whole, by their path: as botocore reads
    them, and into the part the cache keeps."""
    reads = []
    load, read_kept = loader.file_loader.load_file, loader.read_kept

    def counted(path):
        if os.path.basename(path) == "endpoints":
            reads.append(path)
        return load(path)

    def counted_kept(path):
        reads.append(path)
        return read_kept(path)

    loader.file_loader.load_file = counted
    loader.read_kept = counted_kept
    return reads


def resolved(data, services):
    """What botocore's endpoint resolver makes of `data` for `services` in every region of
    every partition, with each variant."""
    resolver = EndpointResolver(data)
    regions = [r for p in resolver.get_available_partitions() for r in _regions(data, p)]
    out = {}
    for service in services:
        out[service, "endpoints"] = resolver.get_available_endpoints(service)
        for region in regions + ["xx-nowhere-1"]:
            for variant in VARIANTS:
                try:
                    found = resolver.construct_endpoint(service, region, **variant)
                except Exception as e:  # botocore's own refusals must match too
                    found = "%s: %s" % (type(e).__name__, e)
                out[service, region, tuple(variant.values())] = found
    return out


def _regions(data, partition):
    return [r for p in data["partitions"] if p["partition"] == partition for r in p["regions"]]


def test_the_clients_endpoint_data_is_botocores_from_the_file_and_then_from_the_cache(
    cache_home,
):
    theirs, their_path = Loader().load_data_with_path("endpoints")
    for state in ("first", "cached"):
        ours = ServiceLoader.like(Loader())
        reads = reads_of(ours)
        data, path = ours.load_data_with_path("endpoints")
        assert path == their_path
        assert ours.is_builtin_path(path)
        assert resolved(data, ENDPOINT_SERVICES) == resolved(theirs, ENDPOINT_SERVICES)
        # First the whole file is read; then the clients' services come from the cache.
        assert len(reads) == (1 if state == "first" else 0), state
        assert ours.load_data_with_path("endpoints")[0] is data  # once per loader
    entries = list((cache_home / "ssoenv").rglob("*.json"))
    assert len(entries) == 1 and entries[0].stat().st_mode & 0o077 == 0


def test_any_other_service_is_read_from_the_whole_file_when_asked(cache_home):
    theirs = Loader().load_data("endpoints")
    ServiceLoader.like(Loader()).load_data("endpoints")  # fills the cache
    ours = ServiceLoader.like(Loader())
    reads = reads_of(ours)
    data = ours.load_data("endpoints")
    assert reads == []
    names = [sorted(p["services"]) for p in data["partitions"]]
    assert names == [sorted(p["services"]) for p in theirs["partitions"]]
    assert [list(p["services"]) for p in data["partitions"]] == [
        list(p["services"]) for p in theirs["partitions"]
    ]
    assert reads == []  # names and membership come from the cache too
    others = ["s3", "ec2", "iam", "sso", "sso-oidc", "nope", ""]
    assert resolved(data, others) == resolved(theirs, others)
    assert len(reads) == 1  # once, for all of them
    assert data == theirs


def test_a_miss_hands_out_botocores_data_and_reads_the_file_again_for_another_service(
    cache_home,
):
    theirs = Loader().load_data("endpoints")
    ours = ServiceLoader.like(Loader())
    reads = reads_of(ours)
    data = ours.load_data("endpoints")
    assert len(reads) == 1  # into the part the cache keeps
    assert resolved(data, ENDPOINT_SERVICES) == resolved(theirs, ENDPOINT_SERVICES)
    assert len(reads) == 1
    others = ["s3", "ec2", "iam", "sso", "sso-oidc", "nope", ""]
    assert resolved(data, others) == resolved(theirs, others)
    assert len(reads) == 2  # as botocore reads it, once, for all of them
    assert data == theirs


@pytest.fixture
def own_endpoints(tmp_path):
    """An AWS_DATA_PATH-style directory whose endpoints.json names another OIDC host."""
    extra = tmp_path / "data"
    extra.mkdir()
    path = extra / "endpoints.json"

    def write(host):
        data = Loader().load_data("endpoints")
        oidc = data["partitions"][0]["services"]["oidc"]["endpoints"]
        oidc["eu-west-1"] = {"hostname": host}
        path.write_text(json.dumps(data))
        return host

    return extra, write


def test_an_edited_endpoints_file_is_read_again(cache_home, own_endpoints):
    extra, write = own_endpoints
    for host in ("oidc.one.example", "oidc.second.example", "oidc.3.example"):
        write(host)
        for _ in range(2):  # read, then cached
            loader = ServiceLoader.like(Loader(extra_search_paths=[str(extra)]))
            data, path = loader.load_data_with_path("endpoints")
            assert path == str(extra / "endpoints")
            assert not loader.is_builtin_path(path)
            found = EndpointResolver(data).construct_endpoint("oidc", "eu-west-1")
            assert found["hostname"] == host


def oidc_host(extra):
    """(the OIDC host a new loader resolves in eu-west-1, its whole-file reads)."""
    loader = ServiceLoader.like(Loader(extra_search_paths=[str(extra)]))
    reads = reads_of(loader)
    data = loader.load_data("endpoints")
    return EndpointResolver(data).construct_endpoint("oidc", "eu-west-1")["hostname"], reads


def test_a_cache_others_can_write_is_not_used(cache_home, own_endpoints):
    extra, write = own_endpoints
    write("oidc.mine.example")
    ServiceLoader.like(Loader(extra_search_paths=[str(extra)])).load_data("endpoints")
    entry = next((cache_home / "ssoenv").rglob("*.json"))
    entry.write_text(entry.read_text().replace("oidc.mine.example", "oidc.planted.example"))
    entry.chmod(0o666)
    host, reads = oidc_host(extra)
    assert host == "oidc.mine.example"
    assert len(reads) == 1


def test_a_store_others_can_write_is_refused_and_the_file_read(cache_home, own_endpoints):
    extra, write = own_endpoints
    write("oidc.mine.example")
    (cache_home / "ssoenv").mkdir(parents=True)
    (cache_home / "ssoenv").chmod(0o777)
    for _ in range(2):
        host, reads = oidc_host(extra)
        assert host == "oidc.mine.example"
        assert len(reads) == 1
    assert list((cache_home / "ssoenv").iterdir()) == []


def test_a_compressed_endpoints_file_is_read_as_botocore_reads_it(cache_home, tmp_path):
    extra = tmp_path / "gz"
    extra.mkdir()
    data = Loader().load_data("endpoints")
    data["partitions"][0]["services"]["oidc"]["endpoints"]["eu-west-1"] = {"hostname": "z.example"}
    with gzip.open(extra / "endpoints.json.gz", "wt") as f:
        json.dump(data, f)
    base = Loader(extra_search_paths=[str(extra)])
    for _ in range(2):
        ours = ServiceLoader.like(base)
        got, path = ours.load_data_with_path("endpoints")
        assert (got, path) == base.load_data_with_path("endpoints")


@pytest.mark.parametrize(
    "value",
    [
        {"data": "[]", "names": []},
        {"data": "{}", "names": []},
        {"data": '{"partitions": [{"services": {}}]}', "names": 5},
        {"data": '{"partitions": [{"services": {}}]}', "names": []},
        {"data": "not json", "names": [[]]},
        {"names": [[]]},
        [],
    ],
)
def test_a_cache_entry_of_another_shape_counts_as_missing(cache_home, own_endpoints, value):
    extra, write = own_endpoints
    write("oidc.mine.example")
    ServiceLoader.like(Loader(extra_search_paths=[str(extra)])).load_data("endpoints")
    entry = next((cache_home / "ssoenv").rglob("*.json"))
    stored = json.loads(entry.read_text())
    entry.write_text(json.dumps(dict(stored, value=value)))
    loader = ServiceLoader.like(Loader(extra_search_paths=[str(extra)]))
    data = loader.load_data("endpoints")
    # (Before botocore's resolver adds to what it is given.)
    assert data == Loader(extra_search_paths=[str(extra)]).load_data("endpoints")
    assert EndpointResolver(data).construct_endpoint("oidc", "eu-west-1")["hostname"] == (
        "oidc.mine.example"
    )

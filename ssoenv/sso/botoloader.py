"""botocore's data loader, asked only about the services ssoenv's clients use.

Before it reads a model, botocore's loader checks that the service is one it knows, and it
learns that by listing every service directory on its search path (over 400 in botocore's
own data) for each kind of model a client reads. That was a third of the cost of a
command's first client. This loader answers the same question from the asked service's own
directory, and lists them all only for a caller that wants the list itself.

Each session's endpoint resolver also parses `endpoints.json` whole (over a megabyte, every
service in every partition), once in each process: a third of what a command spends once
its modules are imported. This loader keeps the part ssoenv's clients read in ssoenv's
cache, keyed on the file's identity, and parses the whole file again only for a service
outside it.

Imported with botocore, off the hook's path."""

import json
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, instance_cache

from ssoenv.base import cache
from ssoenv.base.errors import SsoenvError

# The services whose endpoint data ssoenv's clients read, by their endpoint prefix: IAM
# Identity Center's OIDC and portal (sso-oidc, sso), and STS for role chains.
ENDPOINT_SERVICES = ("oidc", "portal.sso", "sts")
# Named for what an entry holds: a change of ENDPOINT_SERVICES or of the format renames it.
ENDPOINTS_CACHE = "botocore-endpoints-1"


class ServiceLoader(Loader):
    """A botocore Loader whose `list_available_services` answers `in` without listing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As botocore's loader keeps its listing: the model files do not change while
        # ssoenv runs.
        self._known: dict = {}

    @classmethod
    def like(cls, loader: Loader) -> "ServiceLoader":
        """One with the same search path as `loader` (botocore's, made from AWS_DATA_PATH or
        a profile's data_path)."""
        return cls(extra_search_paths=list(loader.search_paths), include_default_search_paths=False)

    def list_available_services(self, type_name):
        return KnownServices(self, type_name)

    @instance_cache
    def load_data_with_path(self, name):
        if name == "endpoints":
            found = self._endpoints()
            if found is not None:
                return found
        return super().load_data_with_path(name)

    def _endpoints(self):
        """(endpoint data, path) as botocore's loader finds them, from the cache while the
        file is unchanged; None for botocore's own reading (a compressed file, none)."""
        for location in self._potential_locations("endpoints"):
            path = location + ".json"
            if os.path.isfile(path):
                break
            if os.path.isfile(location + ".json.gz"):
                return None
        else:
            return None
        key = cache.file_key(path)
        try:
            entry = cache.get(ENDPOINTS_CACHE, path, key)
        except SsoenvError:  # a store others can write: read the file, keep nothing
            return None

        def whole():
            return self.file_loader.load_file(location)

        data = _endpoint_data(entry, whole, path)
        if data is not None:
            return data, location
        # A miss: the file is read into plain dicts, in half the time botocore's
        # OrderedDicts take, and only the part kept is handed out, as from the cache.
        entry = self.read_kept(path)
        data = _endpoint_data(entry, whole, path)
        if data is None:
            return None
        # Kept only when the file did not change while it was read.
        if key is not None and cache.file_key(path) == key:
            try:
                cache.put(ENDPOINTS_CACHE, path, key, entry)
            except SsoenvError:
                pass
        return data, location

    def read_kept(self, path: str):
        """What the cache keeps of the endpoints file at `path`; None when it is gone."""
        try:
            with open(path, "rb") as f:
                payload = f.read()
        except FileNotFoundError:
            return None
        return _kept(json.loads(payload.decode("utf-8")))

    def knows(self, name, type_name: str) -> bool:
        """Whether `name` is among the services with a model of `type_name`."""
        key = (name, type_name)
        if key not in self._known:
            self._known[key] = any(self._has(path, name, type_name) for path in self.search_paths)
        return self._known[key]

    def _has(self, path: str, name, type_name: str) -> bool:
        # A listing's names are exact: no other case, no `..`, no separator.
        if not os.path.isdir(path) or name not in os.listdir(path):
            return False
        service = os.path.join(path, name)
        return os.path.isdir(service) and any(
            self.file_loader.exists(os.path.join(service, version, type_name))
            for version in os.listdir(service)
        )


class KnownServices(Sequence):
    """The services with a model of `type_name`, as botocore's Loader lists them (a sorted
    list), but asked whether it holds one service, it looks in that service's directory."""

    def __init__(self, loader: ServiceLoader, type_name: str):
        self._loader = loader
        self._type_name = type_name

    def __contains__(self, name) -> bool:
        return self._loader.knows(name, self._type_name)

    def _all(self) -> list:
        return Loader.list_available_services(self._loader, self._type_name)

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        return iter(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


def _kept(data) -> dict:
    """What the cache keeps of botocore's endpoint data: all but the services ssoenv's
    clients do not call, and the names of all, in the file's order."""
    partitions, names = [], []
    for partition in data["partitions"]:
        services = partition["services"]
        kept = dict(partition)
        kept["services"] = {n: services[n] for n in ENDPOINT_SERVICES if n in services}
        partitions.append(kept)
        names.append(list(services))
    # As text: botocore reads the file into OrderedDicts, and so does _endpoint_data.
    return {"data": json.dumps(dict(data, partitions=partitions)), "names": names}


def _endpoint_data(entry, whole, path: str):
    """The endpoint data from a cache entry, or None for an entry of another shape: the
    whole file is parsed (by `whole`) the first time a service outside the kept ones is
    asked for."""
    try:
        data = json.loads(entry["data"], object_pairs_hook=OrderedDict)
        names = entry["names"]
        partitions = data["partitions"]
        if len(names) != len(partitions) or not all(
            isinstance(p, dict) and isinstance(p.get("services"), dict) and isinstance(n, list)
            for p, n in zip(partitions, names)
        ):
            return None
    except (TypeError, KeyError, ValueError):  # None (a miss) included
        return None
    found = []

    def read():
        if not found:
            loaded = whole()
            if loaded is None:
                raise DataNotFoundError(data_path=path)
            found.append(loaded)
        return found[0]

    for i, (partition, kept) in enumerate(zip(partitions, names)):
        partition["services"] = Services(partition["services"], kept, i, read)
    return data


class Services(Mapping):
    """A partition's services as botocore's endpoint data holds them (names in the file's
    order): the kept ones from the cache, any other from the whole file."""

    def __init__(self, kept, names, index: int, whole):
        self._kept = kept
        self._names = dict.fromkeys(names)
        self._index = index
        self._whole = whole

    def __getitem__(self, name):
        if name in self._kept:
            return self._kept[name]
        if name not in self._names:
            raise KeyError(name)
        return self._whole()["partitions"][self._index]["services"][name]

    def __contains__(self, name) -> bool:
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

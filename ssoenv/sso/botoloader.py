"""botocore's data loader, asked only about the services ssoenv's clients use.

Before it reads a model, botocore's loader checks that the service is one it knows, and it
learns that by listing every service directory on its search path (over 400 in botocore's
own data) for each kind of model a client reads. That was a third of the cost of a
command's first client. This loader answers the same question from the asked service's own
directory, and lists them all only for a caller that wants the list itself.

Imported with botocore, off the hook's path."""

import os
from collections.abc import Sequence

from botocore.loaders import Loader


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

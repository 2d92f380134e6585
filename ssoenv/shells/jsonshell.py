"""json: one object, each changed variable to its new value or null for unset."""

from ssoenv.shells.base import Shell


class Json(Shell):
    name = "json"

    def render(self, changes: dict) -> str:
        import json

        return json.dumps(changes, sort_keys=True) + "\n"

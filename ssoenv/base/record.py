"""Records: classes of named fields with a constructor, equality, a repr and, when frozen,
hashing — what `dataclasses` gives, for the modules the hook's export loads. Importing
dataclasses (which loads inspect, ast and re) costs an export that must read the AWS config
or a `.ssoenv` anew more than all of its own work.

    class Hop(Record):
        profile: str
        role_arn: str
        external_id: str | None = None
        tags: dict = Factory(dict)

Fields are the class's annotations, in order; a class attribute is that field's default.
Records are frozen unless the class says `frozen=False` in its bases' arguments."""


class Factory:
    """A default made anew for each record, such as an empty dict."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


class FrozenError(AttributeError):
    """An assignment to a field of a frozen record."""


class Record:
    _fields = ()
    _defaults = {}
    _frozen = True

    def __init_subclass__(cls, frozen=True, **kwargs):
        super().__init_subclass__(**kwargs)
        own = tuple(cls.__dict__.get("__annotations__", {}))
        cls._fields = tuple(f for f in cls._fields if f not in own) + own
        defaults = dict(cls._defaults)
        for name in own:
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
                delattr(cls, name)  # an unset field must not read as its default
            else:
                defaults.pop(name, None)
        cls._defaults = defaults
        cls._frozen = frozen
        if not frozen:
            cls.__hash__ = None  # equal records may change: not a key

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if len(args) > len(cls._fields):
            raise TypeError(
                "%s takes %d arguments, %d given" % (cls.__name__, len(cls._fields), len(args))
            )
        values = dict(zip(cls._fields, args))
        for name, value in kwargs.items():
            if name not in cls._fields:
                raise TypeError("%s has no field %r" % (cls.__name__, name))
            if name in values:
                raise TypeError("%s got %r twice" % (cls.__name__, name))
            values[name] = value
        for name in cls._fields:
            if name not in values:
                if name not in cls._defaults:
                    raise TypeError("%s needs %r" % (cls.__name__, name))
                default = cls._defaults[name]
                values[name] = default.make() if isinstance(default, Factory) else default
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name, value):
        if self._frozen:
            raise FrozenError("cannot assign to field %r" % name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if self._frozen:
            raise FrozenError("cannot delete field %r" % name)
        object.__delattr__(self, name)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self._fields)

    def as_dict(self) -> dict:
        """The fields and their values, in order (not copied)."""
        return {name: getattr(self, name) for name in self._fields}

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return "%s(%s)" % (
            type(self).__qualname__,
            ", ".join("%s=%r" % (name, getattr(self, name)) for name in self._fields),
        )

"""The one bridge between pydantic validation and the library's errors.

Every pydantic model a user constructs derives from :class:`FairclustersModel`:
its ``__init__``, ``model_validate`` and ``model_validate_json`` turn pydantic's
``ValidationError`` into a :class:`~clustering.errors.FairclustersError`
subclass whose message names each field, the bad value and what was expected.
Callers catch one hierarchy, and pydantic stays an implementation detail.

The text types :data:`NFCStr` and :data:`NFCText` store Vietnamese text in one
Unicode form (:func:`clustering.names.nfc`), whatever form the input used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, StringConstraints, ValidationError

from .errors import FairclustersError, FieldProblem, ParameterError
from .names import nfc

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails
    from typing_extensions import Self

__all__ = [
    "FairclustersModel",
    "NFCStr",
    "NFCText",
    "error_message",
    "field_problems",
    "format_path",
]

#: Text stored in NFC, otherwise as given.
NFCStr = Annotated[str, AfterValidator(nfc)]
#: Text stored in NFC without surrounding whitespace (names, ids, labels of categories).
NFCText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(nfc)]

# Errors raised by the models' own validators already name the value in their message.
_OWN_MESSAGE = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}
_MAX_SHOWN = 60


def format_path(path: Sequence[str | int]) -> str:
    """Render a location the way a reader finds it: ``sections[0].children[2].max_points``.

    Examples
    --------
    >>> format_path(("sections", 0, "children", 2, "max_points"))
    'sections[0].children[2].max_points'
    >>> format_path(("indicators", "grdp"))
    'indicators.grdp'
    """
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def error_message(error: ErrorDetails, fields: Iterable[str] = ()) -> str:
    """One pydantic error as a sentence naming the bad value and what was expected.

    Parameters
    ----------
    error : dict
        An entry of ``ValidationError.errors()``.
    fields : iterable of str, optional
        The model's field names, listed when the error is an unknown field.

    Examples
    --------
    >>> error_message({"type": "greater_than", "loc": ("n_clusters",), "input": 0,
    ...                "msg": "Input should be greater than 0"})
    'Input should be greater than 0, got 0'
    """
    kind = error["type"]
    if kind == "missing":
        return "required, but missing"
    if kind in _OWN_MESSAGE:
        return error["msg"].removeprefix(_OWN_MESSAGE[kind])
    known = list(fields)
    if kind == "extra_forbidden" and known:
        return f"unknown field (got {_shown(error['input'])}); expected one of {', '.join(known)}"
    return f"{error['msg']}, got {_shown(error['input'])}"


def field_problems(exc: ValidationError, fields: Iterable[str] = ()) -> list[FieldProblem]:
    """Every error of a pydantic ``ValidationError`` as a :class:`FieldProblem`."""
    known = tuple(fields)
    return [
        FieldProblem(format_path(e["loc"]), e.get("input"),
                     error_message(e, known if len(e["loc"]) == 1 else ()))
        for e in exc.errors()
    ]


class FairclustersModel(BaseModel):
    """Base of the library's pydantic models: invalid values raise a FairclustersError.

    Subclasses choose the error class with ``error_class`` (a
    :class:`~clustering.errors.ParameterError` subclass), or override
    :meth:`_invalid` when their errors carry more than field problems.

    Examples
    --------
    >>> from pydantic import Field
    >>> class Bounds(FairclustersModel):
    ...     low: int = Field(ge=0)
    >>> try:
    ...     Bounds(low=-1)
    ... except ParameterError as exc:
    ...     print(exc.fields, exc)
    ('low',) invalid Bounds: low: Input should be greater than or equal to 0, got -1
    """

    #: The error raised for invalid values.
    error_class: ClassVar[type[ParameterError]] = ParameterError

    def __init__(self, /, **data: Any) -> None:
        """Validate the keyword arguments; invalid values raise a FairclustersError."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise type(self)._invalid(exc, data) from exc

    # Tell pydantic this __init__ validates like BaseModel's, so that nested models are
    # still validated in one pass (and their errors reported with their full path).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate ``obj`` (a mapping or an instance); invalid values raise a FairclustersError."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise cls._invalid(exc, obj) from exc

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate a JSON document; invalid values raise a FairclustersError."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise cls._invalid(exc, json_data) from exc

    @classmethod
    def _invalid(cls, exc: ValidationError, data: object) -> FairclustersError:
        """The error raised instead of ``exc``; ``data`` is what was being validated."""
        problems = field_problems(exc, cls.model_fields)
        return cls.error_class(
            f"invalid {cls.__name__}: {'; '.join(map(str, problems))}", problems=problems
        )

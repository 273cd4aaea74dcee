"""UNSET: "leave this field as it is", the default of the update services' keyword parameters.

None cannot say that where None is a value people may set (a todo's due date cleared, a phone
number removed). `if title is not UNSET:` narrows `str | Unset` to `str` for the type checker.
"""

import enum
from typing import Final, Literal, TypeAlias


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
Unset: TypeAlias = Literal[_Unset.UNSET]

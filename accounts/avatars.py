"""Letter avatars as InvenioRDM draws them: one letter on a colour derived from the id."""

import unicodedata
from dataclasses import dataclass

from django.utils.html import escape

from .services import get_profile

COLORS = [
    "#e06055", "#ff8a65", "#e91e63", "#f06292", "#673ab7", "#ba68c8", "#7986cb", "#3f51b5", "#5e97f6",
    "#00a4e4", "#4dd0e1", "#0097a7", "#d4e157", "#aed581", "#57bb8a", "#4db6ac", "#607d8b", "#795548",
    "#a1887f", "#fdd835", "#a3a3a3", "#556c60", "#605264", "#923035", "#915a30", "#55526f", "#67635a",
]
LETTER_COLOR = "#f9f9f9"
SVG_TEMPLATE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
    '<circle cx="128" cy="128" r="128" fill="{color}"/>'
    '<text x="50%" y="50%" dy=".35em" text-anchor="middle" fill="{letter_color}" '
    'font-family="Helvetica, Arial, sans-serif" font-size="128">{letter}</text></svg>'
)


@dataclass(frozen=True)
class Avatar:
    letter: str
    color: str

    def svg(self) -> str:
        return SVG_TEMPLATE.format(color=self.color, letter_color=LETTER_COLOR, letter=escape(self.letter))

    def etag(self) -> str:
        # The letter may be any character; keep the header value plain ASCII without quotes.
        plain = self.letter.isascii() and self.letter.isalnum()
        letter = self.letter if plain else "U" + "".join(f"{ord(char):04X}" for char in self.letter)
        return f'"{letter}{self.color}"'


def user_avatar(user) -> Avatar:
    source = get_profile(user).full_name.strip() or user.username or user.email or "?"
    return Avatar(letter=source[0].upper(), color=COLORS[user.pk % len(COLORS)])


def group_avatar(name: str) -> Avatar:
    first = (name or "?")[0]
    return Avatar(letter=first.upper(), color=COLORS[_base36(first) % len(COLORS)])


def _base36(char: str) -> int:
    ascii_char = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()[:1]
    try:
        return int(ascii_char, 36)
    except ValueError:
        return 0

"""Parsers for the answers a form step expects, in Khmer script, English, mixed and romanized.

Pure functions: text in, a typed value or None out (None means "not an answer", so navigation
or another question may take the message). See CONTRACTS.md, "Parsers for step answers".
"""

from bot.answers.amounts import parse_amount, parse_phone
from bot.answers.dates import parse_date
from bot.answers.matching import Option, match_all, match_choice, match_single
from bot.answers.yes_no import YesNo, parse_yes_no
from nlu.shop_query import extract_shop_query

__all__ = [
    "Option",
    "YesNo",
    "extract_shop_query",
    "match_all",
    "match_choice",
    "match_single",
    "parse_amount",
    "parse_date",
    "parse_phone",
    "parse_yes_no",
]

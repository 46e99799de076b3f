"""Parsing of 完成时间节点 (deadline phrases) such as "2024年7月底前", "2024年全年", "每季度", "长期坚持".

``parse_deadline`` is tolerant of spaces, full-width digits and punctuation (see
``tasktrack.domain.text.normalize``) but never guesses: a phrase it does not recognise, one naming a
date that does not exist, or one whose year lies outside the plan's period raises
``DeadlineParseError`` with a Chinese message naming the phrase, for the user to correct.

Recognised forms (``Y年`` is optional everywhere and wins over ``default_year``; a trailing 前 is
optional unless stated; a leading 到/至/于 and a trailing 。 are allowed):

* ``Y年M月底前`` / ``M月底`` / ``M月末`` / ``M月份底`` → last day of month M (DATED);
* ``Y年M月`` / ``M月份`` / ``M月`` → last day of month M (DATED);
* ``Y年M月D日前`` / ``M月D号`` / ``Y-M-D`` / ``Y.M.D`` / ``Y/M/D`` → that day (DATED);
* ``Y年底前`` / ``Y年年底前`` / ``年底`` / ``年末`` / ``年内`` → 12-31 (DATED);
* ``Y年前`` / ``到Y年`` → 12-31 of Y (DATED; a bare ``Y年`` is refused);
* ``上半年`` → 06-30, ``下半年`` → 12-31, optionally followed by 前/末/底前 (DATED);
* ``第一季度末`` / ``一季度末`` / ``第1季度末`` / ``一季度`` … ``第四季度末`` → quarter end (DATED);
* ``M月上旬`` → M-10, ``M月中旬`` → M-20, ``M月下旬`` → month end (DATED);
* stages: dated forms each followed by their work, separated by ，；、 — ``3月底前启动，12月底前完成`` →
  DATED with ``milestones`` (label, due) in order, due = the last stage; a stage without a year is in
  the year of the stage before it;
* ``全年`` → YEAR_ROUND, cadence = plan default;
* ``定期`` → RECURRING at the plan's cadence; ``每月`` / ``按月`` / ``每月底前`` → 1, ``每两个月`` → 2,
  ``每季度`` / ``按季度`` / ``每季度末`` → 3, ``每半年`` → 6, ``每年`` / ``每年年底前`` → 12 months (RECURRING);
* words of 长期/持续/常态(化)/长效(化), optionally followed by 坚持/推进/开展/实施/落实
  (``长期坚持``, ``持续推进``, ``常态化``, ``常态长效``) → ONGOING, cadence = plan default;
* a range of years ``2025—2027年`` / ``2025年至2027年`` → ONGOING over those years; a year or a range
  may also lead 全年, the recurring forms and the ongoing words.

Years: a span (全年, recurring, ongoing) with a year or range is due on 12-31 of its last year; without
one it is due at the end of the plan's period (of ``default_year`` when no period is given). A dated
phrase without a year takes ``default_year``, which a plan of several years refuses.
"""

from tasktrack.domain.deadlines.model import Deadline, DeadlineKind, DeadlineParseError, Milestone
from tasktrack.domain.deadlines.parser import parse_deadline
from tasktrack.domain.deadlines.reading import describe, shift_year

__all__ = [
    "Deadline",
    "DeadlineKind",
    "DeadlineParseError",
    "Milestone",
    "describe",
    "parse_deadline",
    "shift_year",
]

"""How well the engine understands the labelled corpus: accuracy per language and per intent.

    .venv/bin/python bench/corpus_bench.py [--failures] [--language fr] [--class typo]

"Fully right" means the intent, the text, the time or rule (and the due day, reference, period,
snooze length or question when labelled) and the reply language all match the label. "Saved
wrongly" counts the messages the engine would save as a reminder or todo that is not what the
person meant: the worst outcome, which must stay at 0. Target: 97% fully right.
"""

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.chat.corpus import LANGUAGES, Verdict, judge, load

TARGET = 0.97


def _row(label: str, verdicts: list[Verdict]) -> str:
    right = sum(verdict.right for verdict in verdicts)
    wrong_saves = sum(verdict.saved_wrongly for verdict in verdicts)
    share = right / len(verdicts) if verdicts else 0
    return f"{label:<18} {len(verdicts):>6} {right:>6} {share:>8.1%} {wrong_saves:>13}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="print every entry that is not fully right")
    parser.add_argument("--language", choices=LANGUAGES, action="append")
    parser.add_argument("--class", dest="classes", action="append", help="only entries of this class")
    arguments = parser.parse_args()

    verdicts = [
        judge(entry)
        for language in arguments.language or LANGUAGES
        for entry in load(language)
        if not arguments.classes or set(arguments.classes) & set(entry.classes)
    ]
    header = f"{'':<18} {'total':>6} {'right':>6} {'accuracy':>8} {'saved wrongly':>13}"
    print(header)
    by_language: dict[str, list[Verdict]] = defaultdict(list)
    by_intent: dict[str, list[Verdict]] = defaultdict(list)
    by_class: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        by_language[verdict.entry.language].append(verdict)
        by_intent[verdict.entry.expected["intent"]].append(verdict)
        for name in verdict.entry.classes:
            by_class[name].append(verdict)
    for language, group in sorted(by_language.items()):
        print(_row(f"language {language}", group))
    print(_row("hard", [verdict for verdict in verdicts if verdict.entry.hard]))
    print(_row("all", verdicts))
    print()
    for intent, group in sorted(by_intent.items()):
        print(_row(intent, group))
    print()
    for name, group in sorted(by_class.items()):
        print(_row(name, group))
    failures = [verdict for verdict in verdicts if not verdict.right]
    print("\nmismatched fields:", dict(Counter(name for verdict in failures for name in verdict.mismatches)))
    if arguments.failures:
        for verdict in failures:
            entry = verdict.entry
            details = "; ".join(
                f"{name}: want {want!r} got {got!r}" for name, (want, got) in verdict.mismatches.items()
            )
            after = f" (after {entry.after!r})" if entry.after else ""
            print(f"{entry.id} {entry.text!r}{after}\n    {details}")
    accuracy = sum(verdict.right for verdict in verdicts) / len(verdicts)
    return 0 if accuracy >= TARGET and not any(verdict.saved_wrongly for verdict in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

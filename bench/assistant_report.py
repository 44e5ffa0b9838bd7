"""Understanding figures from Rasa's held-out evaluation (results/nlu/) and the Markdown summary for
bench/bench_assistant.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AVERAGES = ("micro avg", "macro avg", "weighted avg", "accuracy")


def entity_report_file(out: Path) -> Path:
    """The entity report of the pipeline's DIET (its file is named after the component class); the
    newest one when an older run with another class left its report behind."""
    reports = sorted(out.glob("*DIETClassifier_report.json"), key=lambda p: p.stat().st_mtime)
    if not reports:
        raise FileNotFoundError(f"no *DIETClassifier_report.json in {out}")
    return reports[-1]


def understanding(out: Path) -> dict[str, Any]:
    """Intent accuracy and macro-F1, entity micro-F1, per-intent table and the misclassified examples."""
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    entities = json.loads(entity_report_file(out).read_text(encoding="utf-8"))
    errors_file = out / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    per_intent = {
        name: {"precision": round(v["precision"], 3), "recall": round(v["recall"], 3),
               "f1": round(v["f1-score"], 3), "support": v["support"],
               "confused_with": v.get("confused_with", {})}
        for name, v in sorted(intents.items()) if isinstance(v, dict) and name not in AVERAGES
    }
    per_entity = {
        name: {"precision": round(v["precision"], 3), "recall": round(v["recall"], 3),
               "f1": round(v["f1-score"], 3), "support": v["support"]}
        for name, v in sorted(entities.items()) if isinstance(v, dict) and name not in AVERAGES
    }
    accuracy = intents.get("accuracy")
    if isinstance(accuracy, dict):
        accuracy = accuracy.get("f1-score")
    matrix = out / "intent_confusion_matrix.png"
    return {
        "intent_accuracy": round(float(accuracy), 4) if accuracy is not None else None,
        "intent_macro_f1": round(intents["macro avg"]["f1-score"], 4),
        "intent_weighted_f1": round(intents["weighted avg"]["f1-score"], 4),
        "examples": intents["macro avg"]["support"],
        "entity_micro_f1": round(entities["micro avg"]["f1-score"], 4),
        "entity_micro_precision": round(entities["micro avg"]["precision"], 4),
        "entity_micro_recall": round(entities["micro avg"]["recall"], 4),
        "per_intent": per_intent,
        "per_entity": per_entity,
        "confusion_matrix_png": str(matrix) if matrix.exists() else None,
        "misclassified": [
            {"text": e.get("text"), "intent": e.get("intent"),
             "predicted": (e.get("intent_prediction") or {}).get("name"),
             "confidence": round(float((e.get("intent_prediction") or {}).get("confidence") or 0), 3)}
            for e in errors
        ],
    }


def _mb(value: object) -> str:
    return f"{int(value) / 2**20:,.0f} MB" if isinstance(value, (int, float)) else "–"


def _fmt(value: object, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3g}{suffix}" if abs(value) < 10 else f"{value:,.1f}{suffix}"
    return f"{value}{suffix}"


def _met(flag: object) -> str:
    return "yes" if flag is True else "**no**" if flag is False else "–"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _section(lines: list[str], report: dict[str, Any], title: str, key: str,
             command: str | None = None) -> dict[str, Any]:
    """Starts a section: its heading, then why it was skipped or the command that reproduces it.
    Returns the section's figures ({} when skipped or absent)."""
    data = report.get(key) or {}
    lines += ["", f"## {title}", ""]
    if data.get("skipped"):
        lines.append(f"Skipped: {data['skipped']}")
        return {}
    if data and command:
        lines += [f"Reproduce: `{report['commands'][command]}`", ""]
    return data


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"# Registerwijzer benchmark{' (quick)' if report['quick'] else ''}",
        "",
        f"- date: {report['date']}",
        f"- machine: {m['platform']}, {m['cpu_count']} CPUs, {_mb(m['total_memory_bytes'])} RAM, "
        f"Python {m['python']}, Rasa {m['rasa']}",
        f"- load average (1 min) at start / end: {report['load_average']['start'][0]:.2f} / "
        f"{report['load_average']['end'][0]:.2f} — other work on the machine makes absolute figures noisy; "
        "ratios are measured in the same run, alternating ours and the sample",
        f"- command: `{report['command']}` (took {report['seconds']:.0f} s)",
        "",
        "## Targets",
        "",
        "| figure | value | target | met |",
        "|---|---|---|---|",
    ]
    for t in report["targets"]:
        lines.append(f"| {t['figure']} | {_fmt(t['value'])} | {t['target']} | {_met(t['met'])} |")

    u = _section(lines, report, "Understanding (held-out set)", "understanding", "understanding")
    if u:
        lines += [
            f"{u['examples']} examples: intent accuracy **{u['intent_accuracy']:.3f}**, intent macro-F1 "
            f"**{u['intent_macro_f1']:.3f}**, entity micro-F1 **{u['entity_micro_f1']:.3f}** "
            f"(precision {u['entity_micro_precision']:.3f}, recall {u['entity_micro_recall']:.3f}). "
            f"Confusion matrix: `{u['confusion_matrix_png']}`.",
            "",
            "| intent | precision | recall | F1 | support | confused with |",
            "|---|---|---|---|---|---|",
        ]
        for name, v in u["per_intent"].items():
            confused = ", ".join(f"{k} ({n})" for k, n in v["confused_with"].items())
            lines.append(f"| {name} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} | "
                         f"{_cell(confused)} |")
        lines += ["", "| entity | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for name, v in u["per_entity"].items():
            lines.append(f"| {name} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} |")
        lines += ["", f"Misclassified ({len(u['misclassified'])}):", "",
                  "| text | expected | predicted | confidence |", "|---|---|---|---|"]
        for e in u["misclassified"]:
            lines.append(f"| {_cell(e['text'])} | {e['intent']} | {e['predicted']} | {e['confidence']:.2f} |")

    s = _section(lines, report, "Speed (REST turn latency, scripted conversations)", "speed", "speed")
    if s:
        lines += [
            f"Ours: {len(s['script_ours'])}-message Dutch script (general, personal via the back-office identity "
            f"of demo leader 100234, the calculator, small talk). Sample: {len(s['script_sample'])}-message "
            "English moodbot script. Each client its own sender id; warmed up first.",
            "",
            "| clients | turns | ours p50 | ours p95 | ours turns/s | sample p50 | sample p95 | sample turns/s "
            "| p95 ratio | throughput ratio |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        def ms(value: object) -> str:
            return f"{value:.0f} ms" if isinstance(value, (int, float)) else "skipped"

        def num(value: object) -> str:
            return f"{value:.2f}" if isinstance(value, (int, float)) else "–"

        for level in s["levels"]:
            o, smp = level["ours"], level.get("sample") or {}
            lines.append(
                f"| {level['clients']} | {o['turns']} | {ms(o['p50_ms'])} | {ms(o['p95_ms'])} | "
                f"{num(o['throughput_turns_per_s'])} | {ms(smp.get('p50_ms'))} | {ms(smp.get('p95_ms'))} | "
                f"{num(smp.get('throughput_turns_per_s'))} | {num(level.get('p95_ratio'))} | "
                f"{num(level.get('throughput_ratio'))} |")
        first = s["levels"][0]
        for key, label in (("ours", "Ours"), ("sample", "Sample")):
            per = (first.get(key) or {}).get("p50_ms_by_message")
            if per:
                lines += ["", f"{label}, p50 per message at {first['clients']} client(s): "
                          + "; ".join(f"“{_cell(m)}” {v:.0f} ms" for m, v in per.items())]

    lc = _section(lines, report, "Long conversations (one sender)", "long_conversation", "long_conversation")
    if lc:
        lines += ["| assistant | turns × senders | early (turns) | late (turns) | late / early | every 10th turn (ms) |",
                  "|---|---|---|---|---|---|"]
        for name in ("ours", "sample"):
            v = lc.get(name)
            if not v or v.get("skipped"):
                lines.append(f"| {name} | skipped | | | | |")
                continue
            step = max(1, v["turns"] // 10)
            every = ", ".join(f"{x:.0f}" for x in v["curve_ms"][step - 1::step])
            lines.append(f"| {name} | {v['turns']} × {v['senders']} | {v['early_ms']:.0f} ms "
                         f"({v['early_window'][0]}–{v['early_window'][1]}) | {v['late_ms']:.0f} ms "
                         f"({v['late_window'][0]}–{v['late_window'][1]}) | {v['ratio_late_to_early']:.2f} | {every} |")
        lines.append("")
        lines.append("The full curve (median latency per turn) is in bench.json under `long_conversation`.")

    c = _section(lines, report, "Cost", "cost", "cost")
    if c:
        tr = c.get("training") or {}
        lines += ["| figure | ours | sample |", "|---|---|---|"]
        lines.append(f"| training time from scratch | {_fmt(tr.get('ours_seconds'), ' s')} ({tr.get('ours_source', '–')}) | "
                     f"{_fmt(tr.get('sample_seconds'), ' s')} ({tr.get('sample_source', '–')}) |")
        sizes = c.get("model_bytes") or {}
        lines.append(f"| model size | {_mb(sizes.get('ours'))} | {_mb(sizes.get('sample'))} |")
        mem = c.get("memory") or {}
        ours_mem, sample_mem = mem.get("ours") or {}, mem.get("sample") or {}
        if ours_mem:
            roles = ours_mem["by_role"]
            lines.append(f"| RSS Rasa server after {mem.get('turns_ours')} turns | "
                         f"{_mb((roles.get('rasa_server') or {}).get('rss_bytes'))} | "
                         f"{_mb(((sample_mem.get('by_role') or {}).get('rasa_server') or {}).get('rss_bytes'))} "
                         f"(after {mem.get('turns_sample')} turns) |")
            lines.append(f"| RSS action server | {_mb((roles.get('action_server') or {}).get('rss_bytes'))} | none |")
            lines.append(f"| RSS Rasa + action server | {_mb(mem.get('ours_rasa_plus_actions_bytes'))} | |")
            lines.append(f"| RSS everything run.sh starts (also web page, helpdesk worker) | "
                         f"{_mb(ours_mem.get('process_group_rss_bytes'))} | |")
            if mem.get("ours_after_warmup"):
                w = mem["ours_after_warmup"]["by_role"]
                lines.append(f"| RSS Rasa server / action server after warm-up | "
                             f"{_mb((w.get('rasa_server') or {}).get('rss_bytes'))} / "
                             f"{_mb((w.get('action_server') or {}).get('rss_bytes'))} | |")

    sc = _section(lines, report, "Scale", "scale")
    if sc:
        rules = sc.get("rules") or {}
        if rules:
            lines += [f"Rules (`{sc['commands']['rules']}`): RuleBook.evaluate on a 20-activity dossier, "
                      f"median {rules['median_us']} µs, p95 {rules['p95_us']} µs "
                      f"({rules['repeats']} × {rules['iterations']} evaluations).", ""]
        store = sc.get("store") or {}
        if store:
            lines += [f"Store (`{sc['commands']['store']}`):", "",
                      "| backend | leaders | activities | lookup+evaluate p50 | p95 | p99 | database part p95 |",
                      "|---|---|---|---|---|---|---|"]
            for r in store.get("results", []):
                t, d = r["lookup_and_evaluate"], r["database_only"]
                lines.append(f"| {r['backend']} ({r['server']}) | {r['leaders']:,} | {r['activities']:,} | "
                             f"{t['p50_ms']:.2f} ms | {t['p95_ms']:.2f} ms | {t['p99_ms']:.2f} ms | {d['p95_ms']:.2f} ms |")
        for name, problem in (sc.get("errors") or {}).items():
            lines.append(f"\n{name}: failed: {problem}")
    failed = {k: v for k, v in (report.get("unanswered_turns") or {}).items() if v["count"]}
    if failed:
        lines += ["", "## Turns without an answer", "",
                  "HTTP errors or HTTP 200 with no message; counted in the latencies, listed here. Server logs: "
                  + ", ".join(f"`{p}`" for p in report.get("server_logs", [])), "",
                  "| assistant | time | status | message | reply |", "|---|---|---|---|---|"]
        for name, v in failed.items():
            for e in v["examples"]:
                lines.append(f"| {name} | {e['at']} | {e['status']} | {_cell(e['message'])} | {_cell(e['reply'])} |")
    if report.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(lines) + "\n"

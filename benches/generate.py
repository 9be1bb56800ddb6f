#!/usr/bin/env python3
"""Writes a synthetic sitrep corpus of N incidents (and, with --hugo, the same
corpus as a Hugo site) for the benchmark in benches/run.sh.

Proportions follow the tracker of a long DDoS campaign: one actor per 50
incidents, one target per 10, one note per 10, one campaign per 1,000.
Deterministic: the same N gives the same files.

    python3 benches/generate.py 10000 /dev/shm/corpus-10k [--hugo /dev/shm/hugo-10k] [--skewed]

--skewed writes the worst shape a real tracker has met, rather than the
typical one: 40 targets hit over and over, one actor per 1,000 incidents, a
fifth of the incidents on 5 or all 40 targets at once (a day's target list),
each with three monitoring observations and a summary with links, a list
and raw HTML (which the sanitiser must remove).
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone

ATTACKS = ["ddos", "defacement", "data-leak", "ransomware", "intrusion", "phishing", "other"]
BASES = ["claimed", "attributed", "suspected"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def fmt(t, precision):
    # Local times in the 02:00 hour may not exist (spring forward); avoid it.
    if precision < 3 and t.hour == 2:
        t += timedelta(hours=1)
    return t.strftime(["%Y-%m-%d", "%Y-%m-%dT%H", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%MZ"][precision])


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    hugo = sys.argv[sys.argv.index("--hugo") + 1] if "--hugo" in sys.argv else None
    skewed = "--skewed" in sys.argv
    rng = random.Random(n)
    n_actors, n_targets = max(1, n // 50), max(1, n // 10)
    if skewed:
        n_actors, n_targets = max(1, n // 1000), 40
    n_notes, n_campaigns = max(1, n // 10), max(1, n // 1000)
    c = os.path.join(out, "content")
    write(f"{c}/site.yaml", "title: Synthetic campaign tracker\nbase_url: https://example.org/tracker/\n"
          "timezone: Europe/Paris\nas_of: 2026-01-01\n")
    for i in range(n_actors):
        write(f"{c}/actors/actor-{i:05}.yaml", f"name: Actor {i}\naliases: [Alias {i}]\nkind: hacktivist\n"
              f"description: Synthetic actor number {i}, *hacktivist* group.\n")
    for i in range(n_targets):
        write(f"{c}/targets/target-{i:06}.yaml", f"name: Target {i}\nurl: https://target-{i}.example/\n"
              f"sector: sector-{i % 12}\ncountry: FR\n")
    for i in range(n_campaigns):
        write(f"{c}/campaigns/campaign-{i:03}.yaml", f"name: Campaign {i}\nhashtags: [op{i}]\n"
              f"summary: Synthetic campaign {i}.\n")
    start0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    incidents = []
    for i in range(n):
        started = start0 + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        p = rng.randrange(4)
        iid = f"incident-{i:06}"
        target = rng.randrange(n_targets)
        targets = [target]
        actor = rng.randrange(n_actors)
        campaign = rng.randrange(n_campaigns)
        attack = ATTACKS[rng.randrange(len(ATTACKS))]
        summary = f"\"Synthetic incident {i}, a **{attack}** attack on target {target}.\""
        if skewed:
            targets = sorted(rng.sample(range(n_targets), rng.choice([1, 1, 1, 5, 40])))
            summary = (f"|\n  A [claim](https://news.example/{i}) and a list:\n\n  - one *item*\n  - two `code`\n\n"
                       "  <script>alert(1)</script>")
        lines = [f"title: Attack {i} on target {target}", f"summary: {summary}",
                 f"campaign: campaign-{campaign:03}", f"attack: [{attack}]",
                 f"targets: [{', '.join(f'target-{t:06}' for t in targets)}]",
                 "actors:", f"  - actor: actor-{actor:05}", f"    basis: {BASES[i % 3]}",
                 f"started: {fmt(started, p)}" + (f"/{fmt(started + timedelta(hours=6), p)}" if i % 5 == 0 else "")]
        kind = 3 if skewed else i % 4
        # A quarter are claims with no evidence (unverified); some of them absorbed.
        if kind == 3 and i % 8 == 7:
            lines.append("impact: none")
        if skewed:
            checks = [started + timedelta(minutes=m) for m in (30, 60, 90 + rng.randrange(600))]
            lines += ["observations:"] + [f"  - at: {fmt(t, 3)}\n    state: {s}\n    source: s1"
                                          for t, s in zip(checks, ("down", "down", "up"))]
        if kind == 0:
            lines.append(f"ended: {fmt(started + timedelta(hours=rng.randrange(2, 72)), p)}")
        elif kind in (1, 2):
            down = started + timedelta(hours=rng.randrange(2, 20))
            up = down + timedelta(hours=rng.randrange(2, 30))
            lines += ["observations:", f"  - at: {fmt(down, 1)}", "    state: down", "    source: s1"]
            if kind == 1:
                lines += [f"  - at: {fmt(up, 1)}", "    state: up", "    source: s1"]
        lines += ["sources:", "  - id: s1", f"    title: Report {i}", "    publisher: Example News",
                  f"    url: https://news.example/{i}", f"    published: {fmt(started, 0)}",
                  "tags: [synthetic]", ""]
        write(f"{c}/incidents/{started.year}/{iid}.yaml", "\n".join(lines))
        incidents.append((iid, started, targets, actor, attack))
    for i in range(n_notes):
        about = incidents[rng.randrange(n)][0]
        write(f"{c}/notes/note-{i:06}.md", f"---\ntitle: Note {i}\ndate: 2025-06-01\nabout: [incidents/{about}]\n---\n"
              f"Analysis {i}.\n\n- one\n- two\n\nSee [the incident](../../incidents/{about}/).\n")
    if hugo:
        write(f"{hugo}/hugo.toml", 'baseURL = "https://example.org/tracker/"\ntitle = "Synthetic"\n'
              'disableKinds = ["RSS"]\n[taxonomies]\n  actor = "actors"\n  target = "targets"\n')
        write(f"{hugo}/layouts/_default/baseof.html",
              '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n')
        write(f"{hugo}/layouts/_default/single.html",
              '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date }}</p>'
              '{{ range .Params.actors }}<a href="{{ "actors/" | relURL }}{{ . | urlize }}/">{{ . }}</a>{{ end }}'
              '{{ range .Params.targets }}<a href="{{ "targets/" | relURL }}{{ . | urlize }}/">{{ . }}</a>{{ end }}'
              '{{ .Content }}{{ end }}\n')
        write(f"{hugo}/layouts/_default/list.html",
              '{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range .Pages }}<tr><td><a href="{{ .RelPermalink }}">'
              '{{ .Title }}</a></td><td>{{ .Date }}</td></tr>{{ end }}</table>{{ end }}\n')
        write(f"{hugo}/layouts/_default/terms.html",
              '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">'
              '{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}\n')
        write(f"{hugo}/layouts/index.html",
              '{{ define "main" }}<h1>{{ .Site.Title }}</h1><table>{{ range where .Site.RegularPages "Section" "incidents" }}'
              '<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Date }}</td></tr>{{ end }}</table>{{ end }}\n')
        for iid, started, targets, actor, attack in incidents:
            names = ", ".join(f'"target-{t:06}"' for t in targets)
            write(f"{hugo}/content/incidents/{iid}.md",
                  f'---\ntitle: "Attack on target {targets[0]}"\ndate: {started.strftime("%Y-%m-%dT%H:%M:%SZ")}\n'
                  f'actors: ["actor-{actor:05}"]\ntargets: [{names}]\n---\n'
                  f'Synthetic incident: a **{attack}** attack on target {targets[0]}.\n')


if __name__ == "__main__":
    main()

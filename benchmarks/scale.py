"""Large catalogues for benchmarks: the shipped sample entries copied under new ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = REPO_ROOT / "catalogue"


def make_catalogue(entries: int, target: Path) -> Path:
    """Write a catalogue of `entries` entries into `target/catalogue`; return that folder.

    Registries and providers are copied as they are. Each entry is a sample entry
    under a new id (`<id>-<n>`); references between entries (stacks_into,
    replaced_by) are dropped so that every copy validates on its own.
    """
    out = target / "catalogue"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("sectors.yaml", "authorities.yaml"):
        shutil.copy2(CATALOGUE / name, out / name)
    shutil.copytree(CATALOGUE / "providers", out / "providers")
    samples = []
    for path in sorted(CATALOGUE.glob("*/*.yaml")):
        if path.parent.name == "providers":
            continue
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=yaml.CSafeLoader)
        if data.get("status") == "withdrawn":
            continue
        samples.append((path, text, data))
    for n in range(entries):
        path, text, data = samples[n % len(samples)]
        new_id = f"{data['id']}-{n}"
        lines = []
        skip_block = False
        for line in text.splitlines():
            if line.startswith("id: "):
                line = f"id: {new_id}"
            if line.startswith(("  stacks_into:", "replaced_by:")):
                skip_block = line.startswith("  stacks_into:")
                continue
            if skip_block:
                if line.startswith("    - "):
                    continue
                skip_block = False
            lines.append(line)
        folder = out / path.parent.name
        folder.mkdir(exist_ok=True)
        (folder / f"{new_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out

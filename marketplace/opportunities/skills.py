"""The skills list the project ships: Italian labels (translated through Babel), ESCO URIs where known.

About a hundred skills asked for by the opportunities of the network (logistics, shops,
kitchens, cleaning, care, green jobs, office work, crafts, and the transversal skills every
placement looks at). Languages are not here: opportunities ask for them with a CEFR level.

Each ESCO URI was matched on ESCO's English preferred label with scripts/esco_lookup.py,
which re-checks the whole list: run it after changing an entry. A skill without a URI has
no ESCO concept that matches it closely enough.
"""

# ruff: noqa: E501 (the skills table below keeps one skill per line)
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ESCO_SKILL_BASE = "http://data.europa.eu/esco/skill/"


@dataclass(frozen=True)
class Skill:
    code: str
    label: str  # a lazy string: str() it in the reader's language
    group: str
    esco_uri: str | None = None


GROUP_LABELS = {
    "logistics": _l("Logistica e magazzino"),
    "retail": _l("Commercio e vendita"),
    "hospitality": _l("Ristorazione e accoglienza"),
    "cleaning": _l("Pulizie e manutenzione"),
    "care": _l("Cura e assistenza alla persona"),
    "agriculture": _l("Agricoltura e verde"),
    "office": _l("Ufficio e digitale"),
    "crafts": _l("Artigianato e mestieri tecnici"),
    "soft": _l("Competenze trasversali"),
}


def _esco(concept_id: str) -> str:
    return ESCO_SKILL_BASE + concept_id


def _skills(*items: Skill) -> dict[str, Skill]:
    skills = {item.code: item for item in items}
    if len(skills) != len(items):  # a repeated code would silently hide a skill
        raise ValueError("skill codes must be unique")
    return skills


# One skill per line reads as a table, so the long lines stay.
# fmt: off
SKILLS: dict[str, Skill] = _skills(
    # Logistica e magazzino
    Skill("forklift", _l("Guida del carrello elevatore (muletto)"), "logistics", _esco("28cb374e-6261-4133-8371-f9a5470145da")),
    Skill("load_cargo", _l("Carico delle merci"), "logistics", _esco("048affec-04db-4bd5-b7a6-c666d16c0fef")),
    Skill("unload_cargo", _l("Scarico delle merci"), "logistics", _esco("042f91e3-cccc-4d51-b635-bb14ffe90cfc")),
    Skill("warehouse_records", _l("Registrazione dei movimenti di magazzino"), "logistics", _esco("055ff233-6569-43db-9f95-a4b03dca97da")),
    Skill("pick_orders", _l("Preparazione degli ordini (picking)"), "logistics", _esco("ee5e2297-39cc-4ed6-89e5-d58016118a7f")),
    Skill("pack_goods", _l("Imballaggio delle merci"), "logistics", _esco("667cbbaf-f377-46d8-8f2d-1f6d8a55d74a")),
    Skill("inventory_planning", _l("Inventario e gestione delle scorte"), "logistics", _esco("05281013-f5ae-4bf2-ad23-d5d6f7573b46")),
    Skill("stack_goods", _l("Stoccaggio e impilamento delle merci"), "logistics", _esco("3d086228-d7fc-4c23-972a-22b7d44a6173")),
    Skill("drive_vehicles", _l("Guida di veicoli"), "logistics", _esco("2a82241a-216e-44d8-bb50-6b9a0ef82084")),
    Skill("drive_urban", _l("Guida in città e consegne urbane"), "logistics", _esco("2815f65d-6adb-46a6-8041-5768febf5580")),
    Skill("bicycle_mechanics", _l("Meccanica della bicicletta"), "logistics", _esco("53b1dcbc-7c51-43cd-9e3a-9ca78afd2895")),
    Skill("pallet_jack", _l("Uso del transpallet"), "logistics"),
    # Commercio e vendita
    Skill("customer_service", _l("Assistenza ai clienti"), "retail", _esco("15a33d76-4640-438d-ae64-fdc0c1d3eebc")),
    Skill("cash_register", _l("Uso della cassa"), "retail", _esco("0cb013af-6dd9-4fb2-b34e-63dda1a5cf82")),
    Skill("stock_shelves", _l("Rifornimento degli scaffali"), "retail", _esco("7e9daad3-8604-4839-af9b-dc6f8db3ef68")),
    Skill("merchandise_display", _l("Allestimento di vetrine ed esposizioni"), "retail", _esco("e4aea84e-6f33-41f9-a61c-53cf5125ea26")),
    Skill("sell_products", _l("Vendita al banco"), "retail", _esco("29a50780-f81b-429c-b410-7f23a492e19d")),
    Skill("price_tags", _l("Etichettatura e prezzatura dei prodotti"), "retail", _esco("6fcf2fc7-7b74-42e5-845f-f5854fd44f37")),
    Skill("product_knowledge", _l("Conoscenza dei prodotti"), "retail", _esco("1585fc98-bfe4-461f-97fc-734055a2c3ce")),
    Skill("handle_complaints", _l("Gestione dei reclami"), "retail", _esco("28d715e3-3e5b-4fb6-8dd2-4be4919c8587")),
    # Ristorazione e accoglienza
    Skill("food_hygiene", _l("Igiene e sicurezza alimentare (HACCP)"), "hospitality", _esco("0ff99f51-40d9-42f1-a1ec-377b2bb5e15f")),
    Skill("cooking_techniques", _l("Tecniche di cottura"), "hospitality", _esco("f3934441-4bff-4076-9945-e6c51a01c467")),
    Skill("food_preparation", _l("Preparazione degli alimenti"), "hospitality", _esco("4b15a965-9bb4-42f1-8e44-1024aeb0b08c")),
    Skill("wash_dishes", _l("Lavaggio delle stoviglie"), "hospitality", _esco("c662be22-f17a-4ba0-894f-d720b20c44cf")),
    Skill("clean_kitchen", _l("Pulizia della cucina e delle attrezzature"), "hospitality", _esco("9b31016e-c99d-4bd2-a550-d5660dac5041")),
    Skill("serve_tables", _l("Servizio ai tavoli"), "hospitality", _esco("42a6eff0-e9d9-423d-877b-e48fe91ff26f")),
    Skill("serve_beverages", _l("Servizio di bevande al banco"), "hospitality", _esco("beeaddc7-fe69-4b97-a286-0bd595432eb9")),
    Skill("prepare_coffee", _l("Preparazione del caffè (barista)"), "hospitality", _esco("a37afd64-1022-48ba-a8e7-e41b29fe056e")),
    Skill("bake_goods", _l("Panificazione e prodotti da forno"), "hospitality", _esco("5626b3b1-5415-47f6-acf1-b573d457d180")),
    Skill("prepare_pizza", _l("Preparazione della pizza"), "hospitality", _esco("298ead56-f11b-4c5d-a4d9-282f7a1489b6")),
    Skill("greet_guests", _l("Accoglienza degli ospiti"), "hospitality", _esco("26a6e6d2-1c9a-4d7e-8c04-5ba16d1f53da")),
    Skill("take_orders", _l("Presa delle ordinazioni"), "hospitality", _esco("704bed2c-737a-4585-b840-1d28bbcab9b4")),
    Skill("hotel_rooms", _l("Riassetto delle camere"), "hospitality", _esco("7bb01a18-4637-4535-ba18-258f48f705b8")),
    Skill("front_desk", _l("Supporto al check-in in hotel"), "hospitality", _esco("678c18a3-861b-4967-8288-2e409d4e0ee3")),
    Skill("food_storage", _l("Conservazione delle materie prime"), "hospitality", _esco("29b326ea-a9c8-4963-b35a-8541d0cdff77")),
    # Pulizie e manutenzione
    Skill("clean_surfaces", _l("Pulizia delle superfici"), "cleaning", _esco("6ff01827-907d-43d8-b6e4-7162c1cf0aca")),
    Skill("clean_floors", _l("Pulizia dei pavimenti"), "cleaning", _esco("a2cd3b30-2d6c-473e-a5d4-4e7cb576babe")),
    Skill("cleaning_chemicals", _l("Uso sicuro dei prodotti per la pulizia"), "cleaning", _esco("51a26193-9abe-4bce-9108-f50835be1c35")),
    Skill("waste_sorting", _l("Raccolta differenziata dei rifiuti"), "cleaning", _esco("110d7aa3-e44e-4cce-a927-8d4de615f3d9")),
    Skill("laundry", _l("Lavanderia"), "cleaning", _esco("04838ae5-a737-48a0-a782-3d1b6b6cb75b")),
    Skill("ironing", _l("Stiratura"), "cleaning", _esco("562b1180-83e7-4041-8468-2f28d03b7893")),
    Skill("minor_repairs", _l("Piccola manutenzione"), "cleaning", _esco("c0fc7d2d-d013-40d7-bc58-75cf3771153f")),
    # Cura e assistenza alla persona
    Skill("elderly_care", _l("Assistenza alle persone anziane"), "care", _esco("261e740b-d32d-4356-94a8-3ea29128b70b")),
    Skill("children_care", _l("Attività di cura con bambini"), "care", _esco("6b58a6d2-89cf-4ab5-bb62-eb29ae968934")),
    Skill("first_aid", _l("Primo soccorso"), "care", _esco("1d21f6ad-340f-45da-a0a3-4e83867f47a6")),
    Skill("disability_support", _l("Accompagnamento di persone con disabilità"), "care", _esco("0f298334-ae4a-4ab7-96c2-0d90d2883768")),
    Skill("basic_patient_support", _l("Supporto di base alle persone assistite"), "care", _esco("24f980ba-b44f-4739-b563-205104c3190d")),
    Skill("meal_assistance", _l("Assistenza a persone con bisogni particolari"), "care", _esco("248951cc-3b10-447f-a4b2-0037e6e7a9ab")),
    Skill("home_care", _l("Assistenza domiciliare"), "care", _esco("0e2c082a-056c-413c-94d1-581a0133e614")),
    Skill("animation", _l("Animazione di gruppi"), "care"),
    # Agricoltura e verde
    Skill("gardening", _l("Manutenzione del verde"), "agriculture", _esco("41be6ab9-1cf9-43af-8c63-b6664b921dd5")),
    Skill("garden_equipment", _l("Uso degli attrezzi da giardinaggio"), "agriculture", _esco("8a1942a8-bebd-4cc5-bdff-fe215aaa3de5")),
    Skill("prune_plants", _l("Potatura"), "agriculture", _esco("af9b6098-7d2f-4990-b4eb-d7dd73fdb933")),
    Skill("plant_care", _l("Cura delle piante"), "agriculture", _esco("0ae3af47-dc33-4cb0-a2a3-01c6a5bcd968")),
    Skill("harvest_crops", _l("Raccolta dei prodotti agricoli"), "agriculture", _esco("2e4e8114-e579-453d-918e-b0262818ab76")),
    Skill("irrigation", _l("Manutenzione degli impianti di irrigazione"), "agriculture", _esco("cb073ba6-30bd-4fd5-871a-15b0fb1fa930")),
    Skill("greenhouse", _l("Lavoro in serra"), "agriculture", _esco("9b115fce-f6ee-4d20-96f5-847fc6b11c6b")),
    Skill("plant_green_plants", _l("Semina e messa a dimora delle piante"), "agriculture", _esco("8ce4a4af-969b-4d1c-8bfe-891cff82f913")),
    Skill("urban_gardens", _l("Orti urbani e sociali"), "agriculture"),
    # Ufficio e digitale
    Skill("microsoft_office", _l("Uso del pacchetto Office"), "office", _esco("f683ae1d-cb7c-4aa1-b9fe-205e1bd23535")),
    Skill("spreadsheets", _l("Uso dei fogli di calcolo"), "office", _esco("1973c966-f236-40c9-b2d4-5d71a89019be")),
    Skill("word_processing", _l("Videoscrittura"), "office", _esco("81633a44-f1db-4a01-a940-804c6905e330")),
    Skill("file_documents", _l("Archiviazione dei documenti"), "office", _esco("3d427a49-4f85-42cd-8a92-62d4a34f41a1")),
    Skill("data_entry", _l("Inserimento dati"), "office", _esco("88564d2d-2dc9-4789-864a-f9cb73f389ec")),
    Skill("answer_phone", _l("Risposta al telefono"), "office", _esco("5a0bffcf-4ff6-49cf-a7db-4142e63f5f04")),
    Skill("email_use", _l("Uso della posta elettronica"), "office", _esco("a12057b4-6d11-4a12-ab8e-15a028ef0a6d")),
    Skill("social_media", _l("Gestione dei social media"), "office", _esco("5303169c-75d6-4751-9136-a4b88343388c")),
    Skill("digital_literacy", _l("Competenze informatiche di base"), "office", _esco("d15ce60f-ddab-41ce-ba56-398451b77b60")),
    Skill("online_search", _l("Ricerca di informazioni in banche dati"), "office", _esco("a1388163-462a-4b76-8649-67470ea858a1")),
    Skill("reception", _l("Attività di segreteria"), "office", _esco("ab986bc4-df92-4351-9ac1-aa75af943cf7")),
    Skill("appointments", _l("Gestione degli appuntamenti"), "office", _esco("933e7ccf-5d56-46ba-aca4-857f826a6b3a")),
    Skill("web_content", _l("Aggiornamento dei contenuti di un sito web"), "office", _esco("c1f29568-f2bb-49d2-b6c2-28748bd1629b")),
    Skill("photo_editing", _l("Fotoritocco"), "office", _esco("df11ab22-3c40-4dc8-ab0c-e9f41e62449e")),
    # Artigianato e mestieri tecnici
    Skill("carpentry", _l("Falegnameria"), "crafts", _esco("19858dd3-a5fe-4855-b644-6ecfefd1c384")),
    Skill("sewing", _l("Cucito a mano"), "crafts", _esco("477856e7-92e6-43e8-ad67-e2d7129a5188")),
    Skill("welding", _l("Saldatura"), "crafts", _esco("2fcd95a4-1f9a-41cf-95a9-4701bde476b4")),
    Skill("painting", _l("Tinteggiatura"), "crafts", _esco("b826a56a-811d-477c-b165-271729f644a4")),
    Skill("plumbing", _l("Idraulica"), "crafts", _esco("8755734c-2919-41a3-9ca6-1e3d1f169213")),
    Skill("bicycle_repair", _l("Riparazione di biciclette"), "crafts", _esco("1f9cd253-7d74-45a2-acf6-0bd2354aed2f")),
    Skill("hairdressing", _l("Acconciatura"), "crafts", _esco("0b6c4174-a862-480d-8d55-44f7cf7ac365")),
    Skill("hand_tools", _l("Uso di attrezzi manuali"), "crafts", _esco("7cd6de25-f691-4aac-81a2-a9d09b004b38")),
    Skill("power_tools", _l("Uso di elettroutensili"), "crafts", _esco("5bf7f85a-b080-4b27-8ddc-9f62af4643f5")),
    Skill("read_drawings", _l("Lettura del disegno tecnico"), "crafts", _esco("68b6ef08-d823-489d-a95c-752ae6f6e6a7")),
    Skill("measure_materials", _l("Uso di strumenti di misura"), "crafts", _esco("b92758d4-4591-4df1-9ceb-f907aa71ebd9")),
    Skill("machine_tending", _l("Conduzione di macchine confezionatrici"), "crafts", _esco("01fec851-b5f4-419b-940a-3b4c835adfa8")),
    Skill("ceramics", _l("Ceramica"), "crafts", _esco("43117c55-4b23-4f9b-9a37-6d36e2c28d2b")),
    Skill("printing", _l("Stampa e legatoria"), "crafts", _esco("98221b4f-1f4f-435f-b895-eeb7d4c6561c")),
    Skill("upcycling", _l("Riuso creativo dei materiali"), "crafts"),
    # Competenze trasversali
    Skill("teamwork", _l("Lavoro in gruppo"), "soft", _esco("60c78287-22eb-4103-9c8c-28deaa460da0")),
    Skill("communication", _l("Comunicazione"), "soft", _esco("15d76317-c71a-4fa2-aadc-2ecc34e627b7")),
    Skill("punctuality", _l("Puntualità e gestione del tempo"), "soft", _esco("d9013e0e-e937-43d5-ab71-0e917ee882b8")),
    Skill("reliability", _l("Affidabilità"), "soft", _esco("25e16679-a7d0-464d-916c-63210001bbab")),
    Skill("follow_instructions", _l("Seguire le istruzioni"), "soft", _esco("fc511e12-fe90-40a0-bec8-227abb5e4255")),
    Skill("problem_solving", _l("Risoluzione di problemi"), "soft", _esco("adc6dc11-3376-467b-96c5-9b0a21edc869")),
    Skill("adaptability", _l("Flessibilità"), "soft", _esco("49de9958-2aa4-4eef-a89d-fe5d5bcd28c4")),
    Skill("stress", _l("Gestione dello stress"), "soft", _esco("7a147904-22b3-498a-b4d9-7bceeb86b45d")),
    Skill("safety_rules", _l("Sicurezza sul lavoro"), "soft", _esco("198b614d-a9af-46f5-b3fd-2672b401dd8e")),
    Skill("initiative", _l("Spirito di iniziativa"), "soft", _esco("001115fb-569f-4ee6-8381-c6807ef2527f")),
    Skill("intercultural", _l("Sensibilità interculturale"), "soft", _esco("7d23c508-c007-4221-bb84-0c9a479b8ea6")),
    Skill("attention_detail", _l("Precisione e cura dei dettagli"), "soft", _esco("83e6510b-ffeb-4aec-959c-4265fd0ff7b7")),
    Skill("independent_work", _l("Autonomia nel lavoro"), "soft", _esco("c29aa9d2-4da8-4bdd-831c-8d4a2fb51730")),
    Skill("empathy", _l("Empatia"), "soft", _esco("77b636e8-fab3-41a8-8022-1e0a354059dc")),
    Skill("conflict", _l("Gestione dei conflitti"), "soft", _esco("0ee94af1-b445-4973-9c3f-459fab250342")),
    Skill("public_speaking", _l("Parlare in pubblico"), "soft"),
)
# fmt: on


def grouped_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices for a select with one <optgroup> per group, labels sorted in the reader's language."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for group, group_label in GROUP_LABELS.items():
        items = [(skill.code, str(skill.label)) for skill in SKILLS.values() if skill.group == group]
        grouped[str(group_label)] = sorted(items, key=lambda pair: pair[1].casefold())
    return grouped


def skill_label(code: str) -> str:
    """The skill's label in the reader's language; an unknown code (a retired skill) shows as is."""
    skill = SKILLS.get(code)
    return str(skill.label) if skill else code

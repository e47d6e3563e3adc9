"""Italian vocabulary the demo generator combines into names, titles and descriptions.

Only data lives here; `writing.py` holds the combining logic. Lists are written as
"a | b | c" strings to stay readable; `_items` splits them. Every list is combined with
others (roles × settings × templates × comuni…), so even 100k opportunities get varied
titles. Roles use the gender-inclusive form of Italian job ads ("magazziniere/a").
ATECO codes are 2025 classes: the generator keeps only those present in the loaded
sectors table, so a wrong code here degrades the data, never crashes the seeding.
"""

from __future__ import annotations

from dataclasses import dataclass


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split("|") if item.strip())


def weights(text: str) -> tuple[tuple[str, int], ...]:
    """Parse "a:3 | b:1" into (("a", 3), ("b", 1)); a value may be empty (":13")."""
    pairs = (item.strip().rpartition(":") for item in text.split("|"))
    return tuple((value.strip(), int(weight)) for value, _, weight in pairs)


@dataclass(frozen=True)
class Line:
    """One line of business: an organisation does one, and its opportunities follow from it."""

    activity: str  # completes "… si occupa di <activity>"
    ateco_classes: tuple[str, ...]
    business_words: tuple[str, ...]  # make company names: "Rossi Logistica", "Trasporti Martesana"
    roles: tuple[str, ...]
    settings: tuple[str, ...]  # "in magazzino": follows a role or a kind in titles
    tasks: tuple[str, ...]  # infinitive phrases: "Ti occuperai di <task> e di <task>."
    names: tuple[str, ...] = ()  # name patterns for public bodies ("Biblioteca civica di {comune}")
    learnings: tuple[str, ...] = ()  # when the field's learnings do not fit this line


def line(
    activity: str, ateco: str, words: str, roles: str, settings: str, tasks: str, names: str = "", learn: str = ""
) -> Line:
    return Line(
        activity,
        _items(ateco),
        _items(words),
        _items(roles),
        _items(settings),
        _items(tasks),
        _items(names),
        _items(learn),
    )


@dataclass(frozen=True)
class Theme:
    """A field of work: its lines of business and what people learn or list as skills in it."""

    key: str
    lines: tuple[Line, ...]
    learnings: tuple[str, ...]  # noun phrases: "Imparerai <learning> e <learning>."
    skills: tuple[str, ...]  # skills a candidate interested in this field lists on their profile
    workshops: tuple[str, ...]  # "Laboratorio di <workshop>"
    courses: tuple[str, ...]  # "Corso di formazione: <course>"


THEMES: tuple[Theme, ...] = (
    Theme(
        "logistica",
        (
            line(
                "logistica conto terzi e distribuzione di merci nel Nord Italia",
                "52.10 | 52.24 | 52.25",
                "Logistica | Magazzini | Distribuzione",
                "magazziniere/a | addetto/a al picking | carrellista | addetto/a al carico e scarico"
                " | impiegato/a di logistica",
                "in magazzino | in un centro di distribuzione | in un hub logistico",
                "ricevere e controllare la merce in arrivo | preparare gli ordini con il lettore di codici a barre"
                " | etichettare e imballare i colli | tenere in ordine le scaffalature"
                " | aggiornare l'inventario sul gestionale",
            ),
            line(
                "trasporto merci su strada e consegne a domicilio",
                "49.41 | 53.20",
                "Trasporti | Spedizioni | Express",
                "aiuto autista per le consegne | addetto/a allo smistamento pacchi | magazziniere/a",
                "nel reparto spedizioni | in un centro di smistamento pacchi | in un deposito",
                "caricare i furgoni per le consegne del giorno | smistare i pacchi per zona"
                " | controllare i documenti di trasporto | aiutare l'autista nelle consegne",
            ),
            line(
                "confezionamento e imballaggio conto terzi",
                "82.92",
                "Packaging | Imballaggi",
                "addetto/a al confezionamento | addetto/a all'imballaggio | operaio/a di linea",
                "su una linea di confezionamento | in un laboratorio conto terzi",
                "confezionare i prodotti secondo le istruzioni | etichettare le confezioni"
                " | controllare che non ci siano difetti | preparare i bancali per la spedizione",
            ),
        ),
        _items(
            "l'uso del transpallet elettrico | le regole di sicurezza in magazzino"
            " | la lettura dei documenti di trasporto | la gestione delle scorte"
        ),
        _items(
            "uso del muletto | patentino del carrello elevatore | uso del transpallet | picking"
            " | gestione del magazzino | patente C"
        ),
        _items("movimentazione merci in sicurezza"),
        _items("patentino per carrello elevatore | sicurezza sul lavoro – rischio medio | logistica di base"),
    ),
    Theme(
        "ristorazione",
        (
            line(
                "ristorazione collettiva per scuole e aziende del territorio",
                "56.22",
                "Ristorazione | Mense | Catering",
                "addetto/a alla mensa | aiuto cuoco/a | lavapiatti | addetto/a alla distribuzione dei pasti",
                "in un centro cottura | in una mensa aziendale | in una mensa scolastica",
                "porzionare i pasti per la distribuzione | preparare le verdure e le basi di cucina"
                " | lavare e riordinare stoviglie e attrezzature | apparecchiare il refettorio"
                " | rispettare le procedure di igiene e pulizia",
            ),
            line(
                "ristorazione e catering per eventi",
                "56.11 | 56.21",
                "Ristorante | Catering | Gastronomia | Trattoria",
                "aiuto cuoco/a | addetto/a alla sala | cameriere/a | lavapiatti | pizzaiolo/a",
                "in cucina | in un ristorante del centro | in un bistrot sociale | in una pizzeria",
                "preparare le verdure e le basi di cucina | apparecchiare e servire ai tavoli"
                " | lavare e riordinare stoviglie e attrezzature | preparare gli impasti"
                " | accogliere i clienti",
            ),
            line(
                "gestione di bar e caffetterie",
                "56.30",
                "Caffè | Bar | Bistrot",
                "barista | addetto/a al banco caffetteria | addetto/a alla sala",
                "in un bar | in una caffetteria | nel bar di un centro sportivo",
                "preparare caffè e colazioni al banco | servire ai tavoli | riordinare il locale | gestire la cassa",
            ),
            line(
                "produzione di pane e dolci da forno con vendita diretta",
                "10.71",
                "Panificio | Pasticceria | Forno",
                "aiuto panettiere/a | aiuto pasticciere/a | addetto/a alla vendita",
                "in un laboratorio di pasticceria | in un panificio | in un forno artigianale",
                "preparare gli impasti | infornare e sfornare i prodotti | confezionare pane e dolci"
                " | servire i clienti al banco",
            ),
        ),
        _items(
            "le regole HACCP sull'igiene degli alimenti | l'organizzazione di una cucina professionale"
            " | il servizio al cliente | la preparazione dei piatti del giorno"
        ),
        _items("HACCP | cucina di base | servizio ai tavoli | caffetteria | lavorazione dell'impasto"),
        _items("cucina | panificazione | pasticceria | cucina dei popoli"),
        _items("HACCP per alimentaristi | caffetteria e servizio al banco | aiuto cuoco"),
    ),
    Theme(
        "commercio",
        (
            line(
                "commercio al dettaglio di prodotti alimentari",
                "47.11 | 47.21",
                "Market | Alimentari | Supermercati",
                "addetto/a alle vendite | cassiere/a | scaffalista | addetto/a al banco gastronomia"
                " | addetto/a al reparto ortofrutta",
                "in un supermercato | in un negozio di quartiere | in un minimarket",
                "rifornire gli scaffali e controllare le scadenze | gestire la cassa e i pagamenti elettronici"
                " | servire i clienti al banco | prezzare i prodotti e sistemare il reparto",
            ),
            line(
                "vendita di abbigliamento, calzature e accessori",
                "47.71 | 47.72",
                "Abbigliamento | Moda | Calzature",
                "commesso/a | addetto/a alle vendite | vetrinista | addetto/a al magazzino del negozio",
                "in un negozio di abbigliamento | in un negozio di calzature | in un outlet",
                "accogliere e consigliare i clienti | allestire le vetrine e gli espositori"
                " | piegare e sistemare i capi | gestire la cassa e i pagamenti elettronici",
            ),
            line(
                "vendita di piante, fiori e articoli per il giardino",
                "47.76",
                "Garden | Fiori | Flora",
                "addetto/a alle vendite | aiuto fiorista | addetto/a al reparto piante",
                "in un garden center | in un negozio di fiori",
                "curare e innaffiare le piante esposte | preparare semplici composizioni"
                " | consigliare i clienti | sistemare il reparto",
            ),
            line(
                "recupero di mobili, vestiti e oggetti usati, rivenduti in un mercatino solidale",
                "47.79",
                "Usato | Mercatino | Riuso",
                "addetto/a al mercatino dell'usato | addetto/a allo smistamento delle donazioni"
                " | addetto/a alle vendite",
                "in un mercatino dell'usato | in un emporio del riuso",
                "selezionare e pulire gli oggetti donati | prezzare la merce | allestire gli spazi di vendita"
                " | accogliere i clienti",
            ),
        ),
        _items(
            "le tecniche di vendita | l'uso del registratore di cassa | la gestione di un reparto"
            " | la relazione con il cliente"
        ),
        _items("uso della cassa | vendita assistita | rifornimento scaffali | cortesia con il pubblico"),
        _items("riuso creativo e allestimento vetrine"),
        _items("tecniche di vendita | addetto/a cassa e gestione dei pagamenti"),
    ),
    Theme(
        "manifattura",
        (
            line(
                "produzione di mobili su misura e serramenti in legno",
                "31.00 | 16.23 | 16.25",
                "Arredamenti | Serramenti | Legno",
                "aiuto falegname | addetto/a alla verniciatura | addetto/a al montaggio mobili",
                "in falegnameria | in un laboratorio di arredamento",
                "tagliare e levigare i pannelli | montare mobili e ante | verniciare i pezzi finiti"
                " | preparare i mobili per la consegna",
                learn="le lavorazioni del legno | l'uso in sicurezza delle macchine | la lettura del disegno tecnico",
            ),
            line(
                "lavorazioni meccaniche di precisione e assemblaggio conto terzi",
                "25.62 | 33.12 | 25.99",
                "Meccanica | Metalli | Minuterie",
                "operaio/a di produzione | addetto/a all'assemblaggio | manutentore/trice meccanico/a"
                " | addetto/a al controllo qualità | aiuto saldatore/trice",
                "in un'officina meccanica | su una linea di assemblaggio | in un reparto di produzione",
                "montare componenti seguendo le schede di lavoro | controllare i pezzi finiti"
                " | caricare e scaricare le macchine | tenere pulita e ordinata la postazione",
                learn="la lettura del disegno tecnico | l'uso in sicurezza delle macchine | il controllo qualità",
            ),
            line(
                "stampa digitale e tipografica per aziende ed enti",
                "18.12 | 18.14",
                "Grafiche | Stampa | Tipografia",
                "aiuto tipografo/a | addetto/a alla legatoria | addetto/a alla stampa digitale",
                "in tipografia | in un centro stampa",
                "preparare la carta e i materiali | controllare la qualità delle stampe"
                " | rifilare e confezionare gli stampati | caricare le macchine da stampa",
                learn=(
                    "il funzionamento delle macchine da stampa | il controllo qualità"
                    " | la preparazione dei file per la stampa"
                ),
            ),
            line(
                "confezione di abbigliamento da lavoro e tessili per la casa",
                "14.23 | 13.92",
                "Confezioni | Tessile | Sartoria",
                "addetto/a alla confezione | aiuto sarto/a | addetto/a al taglio dei tessuti",
                "in un laboratorio tessile | in sartoria",
                "cucire a macchina | tagliare i tessuti sul cartamodello | stirare e piegare i capi"
                " | controllare le cuciture",
                learn="l'uso della macchina da cucire industriale | il taglio su cartamodello | il controllo qualità",
            ),
        ),
        _items(
            "la lettura del disegno tecnico | l'uso in sicurezza delle macchine | il controllo qualità"
            " | le lavorazioni del legno"
        ),
        _items(
            "assemblaggio | uso di attrezzi manuali | saldatura a filo | lettura del disegno tecnico"
            " | falegnameria di base | cucito a macchina"
        ),
        _items("falegnameria | sartoria | serigrafia | stampa 3D | restauro di mobili"),
        _items("sicurezza sulle macchine utensili | disegno tecnico di base"),
    ),
    Theme(
        "assistenza",
        (
            line(
                "servizi residenziali per anziani e persone con disabilità",
                "87.30 | 87.10",
                "Servizi alla Persona | Assistenza",
                "ausiliario/a socio-assistenziale | animatore/trice | addetto/a all'accoglienza",
                "in una RSA | in una comunità alloggio",
                "affiancare gli operatori nelle attività della giornata | accompagnare gli ospiti a pranzo"
                " | proporre giochi e attività di animazione | accogliere le famiglie in visita",
            ),
            line(
                "servizi diurni ed educativi per persone con disabilità",
                "88.10 | 87.20",
                "Servizi alla Persona",
                "educatore/trice | aiuto educatore/trice | animatore/trice",
                "in un centro diurno per persone con disabilità | in un servizio di formazione all'autonomia",
                "affiancare gli educatori nei laboratori | accompagnare il gruppo nelle uscite"
                " | preparare i materiali delle attività | aiutare nei momenti del pasto",
            ),
            line(
                "servizi per la prima infanzia e centri di aggregazione giovanile",
                "88.91 | 88.99",
                "Servizi Educativi",
                "aiuto educatore/trice | animatore/trice | addetto/a all'accoglienza",
                "in un asilo nido | in un centro di aggregazione giovanile | nei centri estivi",
                "accogliere bambini e famiglie | proporre giochi e attività | aiutare nei momenti del pasto"
                " | riordinare gli spazi",
            ),
            line(
                "assistenza domiciliare per anziani",
                "88.10",
                "Assistenza | Cura",
                "assistente familiare | ausiliario/a socio-assistenziale",
                "in un servizio di assistenza domiciliare",
                "aiutare nelle faccende domestiche | accompagnare le persone a fare la spesa"
                " | fare compagnia e ascoltare | preparare pasti semplici",
            ),
        ),
        _items(
            "come si lavora in équipe | la relazione d'aiuto | l'organizzazione di un servizio di cura"
            " | le basi dell'animazione socio-educativa"
        ),
        _items("assistenza anziani | animazione | primo soccorso | attestato ASA | lavoro con i bambini | ascolto"),
        _items("teatro sociale | arteterapia | giocoleria e animazione"),
        _items("ASA – ausiliario socio-assistenziale | primo soccorso | assistente familiare"),
    ),
    Theme(
        "servizi_persona",
        (
            line(
                "lavanderia industriale per strutture sanitarie e alberghi",
                "96.10",
                "Lavanderia | Lavanderie | Servizi Tessili",
                "addetto/a alle lavatrici industriali | stiratore/trice | addetto/a allo smistamento biancheria",
                "in lavanderia industriale | in una stireria",
                "smistare e piegare la biancheria | usare lavatrici industriali e mangani"
                " | stirare i capi | preparare le consegne per i clienti",
                learn=(
                    "l'uso dei macchinari professionali | le procedure di igiene della biancheria"
                    " | l'organizzazione delle consegne"
                ),
            ),
            line(
                "acconciatura ed estetica, con un salone aperto al pubblico",
                "96.21 | 96.22",
                "Hair | Estetica | Bellezza",
                "aiuto parrucchiere/a | aiuto estetista | addetto/a all'accoglienza",
                "in un salone di parrucchieri | in un centro estetico",
                "accogliere i clienti e preparare la postazione | lavare i capelli"
                " | riordinare prodotti e attrezzi | prendere gli appuntamenti",
                learn="la cura del cliente | le tecniche di base di piega e shampoo | l'igiene degli strumenti",
            ),
            line(
                "riparazione di auto, moto e biciclette",
                "95.31 | 95.32",
                "Autofficina | Motori | Ricambi",
                "aiuto meccanico/a | aiuto gommista | riparatore/trice di biciclette",
                "in un'autofficina | in una ciclofficina | da un gommista",
                "smontare e pulire i pezzi da riparare | cambiare gli pneumatici | controllare olio e liquidi"
                " | tenere in ordine attrezzi e ricambi",
                learn=(
                    "la manutenzione di base dei veicoli | l'uso degli attrezzi d'officina"
                    " | le regole di sicurezza del laboratorio"
                ),
            ),
            line(
                "riparazione di elettrodomestici e oggetti per la casa",
                "95.22 | 95.29",
                "Riparazioni | Assistenza Tecnica",
                "tecnico/a riparatore/trice | addetto/a al laboratorio riparazioni",
                "in un laboratorio di riparazioni",
                "trovare i guasti più semplici | smontare e rimontare gli apparecchi"
                " | sostituire i pezzi rotti | provare gli apparecchi riparati",
                learn=(
                    "la ricerca dei guasti | l'uso degli strumenti di misura | le regole di sicurezza del laboratorio"
                ),
            ),
        ),
        _items(
            "l'uso dei macchinari professionali | la cura del cliente | la manutenzione di base"
            " | le regole di sicurezza del laboratorio"
        ),
        _items(
            "stiratura | uso di macchinari da lavanderia | meccanica di base | piega e taglio | riparazione biciclette"
        ),
        _items("ciclofficina | riparazione di piccoli elettrodomestici"),
        _items("meccanica della bicicletta | addetto/a lavanderia"),
    ),
    Theme(
        "servizi_supporto",
        (
            line(
                "pulizie civili e industriali per uffici, scuole e condomini",
                "81.21 | 81.22",
                "Multiservizi | Pulizie | Servizi",
                "addetto/a alle pulizie | addetto/a alla sanificazione",
                "negli uffici e nelle scuole | in condomini e palestre | negli stabilimenti industriali",
                "pulire e igienizzare gli ambienti | usare la lavasciuga pavimenti"
                " | dosare correttamente i prodotti | svuotare i cestini e separare i rifiuti",
                learn=(
                    "le tecniche di pulizia professionale | l'uso corretto dei prodotti e dei dispositivi di protezione"
                    " | l'organizzazione del lavoro a squadre"
                ),
            ),
            line(
                "manutenzione del verde pubblico e privato",
                "81.30",
                "Verde | Giardini | Green",
                "manutentore/trice del verde | giardiniere/a | addetto/a alla potatura",
                "nella cura dei parchi pubblici | nei giardini privati | nelle aree verdi comunali",
                "tagliare l'erba e potare le siepi | piantare fiori e arbusti | raccogliere foglie e sfalci"
                " | usare in sicurezza decespugliatore e tosaerba",
                learn=(
                    "la cura del verde nelle diverse stagioni | l'uso sicuro delle attrezzature da giardino"
                    " | il riconoscimento di piante e siepi"
                ),
            ),
            line(
                "servizi di portineria, custodia e accoglienza",
                "81.10",
                "Facility | Servizi Integrati",
                "addetto/a alla portineria | custode | addetto/a alla reception",
                "in portineria | alla reception di un'azienda",
                "accogliere i visitatori | smistare la posta | controllare gli accessi | rispondere al telefono",
                learn=(
                    "l'accoglienza del pubblico | la gestione della posta e delle chiamate"
                    " | le regole di sicurezza di un edificio"
                ),
            ),
            line(
                "assistenza clienti telefonica per aziende di servizi",
                "82.20",
                "Contact | Servizi Clienti",
                "operatore/trice di call center | addetto/a al servizio clienti",
                "in un call center | nel servizio clienti",
                "rispondere alle chiamate | registrare le richieste dei clienti | richiamare i clienti"
                " | aggiornare le schede sul computer",
                learn=(
                    "la comunicazione al telefono | l'uso di un gestionale per le richieste"
                    " | la gestione dei clienti difficili"
                ),
            ),
            line(
                "raccolta differenziata e gestione di piattaforme ecologiche",
                "38.11 | 38.21",
                "Ecologia | Ambiente | Recuperi",
                "operatore/trice ecologico/a | addetto/a alla piattaforma ecologica"
                " | addetto/a alla selezione dei rifiuti",
                "in una piattaforma ecologica | in un impianto di selezione",
                "separare i materiali per il riciclo | aiutare i cittadini a conferire i rifiuti"
                " | tenere pulita l'area | caricare i cassoni",
                learn=(
                    "le regole della raccolta differenziata | l'uso corretto dei dispositivi di protezione"
                    " | il rapporto con i cittadini"
                ),
            ),
        ),
        _items(
            "le tecniche di pulizia professionale | la cura del verde nelle diverse stagioni"
            " | la comunicazione al telefono | l'uso corretto dei dispositivi di protezione"
        ),
        _items(
            "pulizie professionali | giardinaggio | uso del decespugliatore | comunicazione telefonica"
            " | raccolta differenziata"
        ),
        _items("giardinaggio | manutenzione del verde"),
        _items("uso in sicurezza di decespugliatore e tosaerba | tecniche di pulizia professionale"),
    ),
    Theme(
        "agricoltura",
        (
            line(
                "coltivazione biologica di ortaggi e vendita diretta in cascina",
                "01.13",
                "Agricola | Orti | Cascina",
                "operaio/a agricolo/a | orticoltore/trice | addetto/a alla raccolta | addetto/a alla vendita diretta",
                "in un'azienda agricola | in serra | in cascina | in un orto sociale",
                "seminare, trapiantare e raccogliere gli ortaggi | curare le piante in serra"
                " | preparare le cassette per la vendita | servire i clienti allo spaccio",
            ),
            line(
                "vivaismo: piante ornamentali e da orto",
                "01.30",
                "Vivai | Piante",
                "vivaista | addetto/a alla serra",
                "in un vivaio | in serra",
                "rinvasare le piantine | innaffiare e concimare | preparare gli ordini per i negozi"
                " | etichettare le piante",
            ),
            line(
                "allevamento di bovini da latte e produzione di formaggi",
                "01.41 | 10.51",
                "Agricola | Cascina | Caseificio",
                "aiuto allevatore/trice | addetto/a alla mungitura | aiuto casaro/a",
                "in cascina | in una stalla | in un caseificio",
                "dare da mangiare agli animali | pulire le stalle | aiutare nella mungitura | confezionare i formaggi",
            ),
            line(
                "cura di boschi e aree verdi lungo l'Adda",
                "02.10 | 02.40",
                "Forestale | Boschi",
                "operaio/a forestale | addetto/a alla manutenzione dei sentieri",
                "lungo il Naviglio Martesana | nei boschi lungo l'Adda",
                "pulire i sentieri | tagliare arbusti e rovi | raccogliere la legna | riparare staccionate e panchine",
            ),
        ),
        _items(
            "i ritmi del lavoro agricolo | la coltivazione biologica | l'uso degli attrezzi agricoli"
            " | la vendita diretta dei prodotti"
        ),
        _items("orticoltura | uso del trattore | cura degli animali | potatura | giardinaggio"),
        _items("orto sociale | apicoltura | cura dell'orto"),
        _items("patentino fitosanitario | orticoltura biologica"),
    ),
    Theme(
        "edilizia",
        (
            line(
                "ristrutturazioni edilizie e manutenzione di case e condomini",
                "43.91 | 43.34 | 43.33 | 43.99",
                "Costruzioni | Edilizia | Ristrutturazioni",
                "manovale edile | imbianchino/a | piastrellista | aiuto muratore/trice",
                "in cantiere | nelle ristrutturazioni",
                "preparare i materiali e gli attrezzi di cantiere | stuccare e tinteggiare le pareti"
                " | tenere pulito e sicuro il cantiere | caricare e scaricare il furgone",
                learn="le basi del mestiere | la sicurezza in cantiere | le tecniche di finitura",
            ),
            line(
                "installazione di impianti elettrici e fotovoltaici",
                "43.21",
                "Impianti | Elettrica | Solare",
                "aiuto elettricista | installatore/trice di impianti fotovoltaici",
                "in una ditta di impianti | nei cantieri",
                "stendere i cavi | affiancare l'installatore negli impianti | montare i pannelli"
                " | preparare il materiale",
                learn=(
                    "la lettura di uno schema elettrico | la sicurezza negli impianti"
                    " | il montaggio dei pannelli solari"
                ),
            ),
            line(
                "impianti idraulici, di riscaldamento e condizionamento",
                "43.22",
                "Termoidraulica | Impianti | Clima",
                "aiuto idraulico/a | aiuto installatore/trice di caldaie",
                "in una ditta di impianti | nei cantieri",
                "preparare tubi e raccordi | affiancare l'installatore negli impianti"
                " | aiutare nella manutenzione delle caldaie | caricare e scaricare il furgone",
                learn="le basi dell'idraulica | la sicurezza in cantiere | la manutenzione delle caldaie",
            ),
        ),
        _items(
            "le basi del mestiere | la sicurezza in cantiere | la lettura di uno schema elettrico"
            " | le tecniche di finitura"
        ),
        _items("edilizia di base | impianti elettrici | tinteggiatura | idraulica di base | lavoro in quota"),
        _items("piccola manutenzione della casa"),
        _items("sicurezza in cantiere – 16 ore | elettricista di base"),
    ),
    Theme(
        "informatica",
        (
            line(
                "sviluppo di siti web e applicazioni per piccole imprese",
                "62.10 | 62.20",
                "Software | Digital | Web",
                "sviluppatore/trice web junior | tester di software | addetto/a all'inserimento dati",
                "in una software house | in un ufficio",
                "aggiornare i contenuti di un sito web | provare le applicazioni e segnalare i problemi"
                " | inserire e controllare dati nel gestionale | scrivere semplici guide per gli utenti",
                learn="le basi della programmazione | come si segue un progetto digitale | il lavoro con i clienti",
            ),
            line(
                "assistenza informatica e ricondizionamento di computer",
                "95.10 | 62.90",
                "Informatica | Sistemi | PC Service",
                "tecnico/a help desk | tecnico/a di riparazione PC",
                "in un laboratorio di riparazione PC | nell'assistenza tecnica",
                "installare e configurare computer e stampanti | rispondere alle richieste di assistenza"
                " | sostituire i componenti guasti | ricondizionare i computer usati",
                learn="la gestione di una rete aziendale | la riparazione dei computer | l'assistenza agli utenti",
            ),
            line(
                "comunicazione digitale e gestione dei social network",
                "73.11 | 73.30",
                "Comunicazione | Media | Digital",
                "social media assistant | grafico/a junior | aiuto video maker",
                "in un'agenzia di comunicazione | in uno studio grafico",
                "preparare grafiche per i social | programmare i post | montare brevi video | fotografare gli eventi",
                learn="gli strumenti di grafica | la scrittura per i social | le basi del montaggio video",
            ),
        ),
        _items(
            "le basi della programmazione | la gestione di una rete aziendale | gli strumenti di grafica"
            " | come si segue un progetto digitale"
        ),
        _items(
            "pacchetto Office | uso del PC | HTML e CSS | Python di base | grafica con Canva | social media"
            " | riparazione PC"
        ),
        _items("video making | coding | fotografia digitale | podcast"),
        _items(
            "informatica di base | competenze digitali e basi dell'informatica | pacchetto Office"
            " | social media marketing"
        ),
    ),
    Theme(
        "cultura",
        (
            line(
                "attività culturali, musicali e teatrali per ragazzi",
                "90.20 | 94.99",
                "Cultura | Eventi",
                "animatore/trice socioculturale | tecnico/a audio e luci | organizzatore/trice di eventi",
                "in un teatro di quartiere | in una sala prove",
                "preparare gli spazi per gli spettacoli | accogliere il pubblico | montare l'impianto audio"
                " | curare la comunicazione delle iniziative",
                learn=(
                    "come si organizza uno spettacolo | le basi della tecnica di palco"
                    " | la comunicazione con il pubblico"
                ),
            ),
            line(
                "attività sportive per bambini e ragazzi",
                "93.12 | 85.51",
                "Sport",
                "aiuto istruttore/trice sportivo/a | animatore/trice sportivo/a",
                "in una società sportiva | in palestra | nei centri estivi",
                "preparare le attrezzature | affiancare l'allenatore | accogliere le famiglie | organizzare i tornei",
                learn=(
                    "la gestione di un gruppo di bambini | l'organizzazione di un allenamento"
                    " | le regole di sicurezza in palestra"
                ),
            ),
            line(
                "gestione di una biblioteca di quartiere e di uno spazio giovani",
                "91.11 | 94.99",
                "Cultura",
                "aiuto bibliotecario/a | animatore/trice",
                "in biblioteca | in uno spazio giovani",
                "riordinare libri e materiali | aiutare nei laboratori per bambini | gestire i prestiti"
                " | curare la comunicazione delle iniziative",
                learn="la gestione di una biblioteca | l'animazione alla lettura | la comunicazione con il pubblico",
            ),
            line(
                "organizzazione di eventi e feste di comunità",
                "94.99 | 82.30",
                "Eventi",
                "organizzatore/trice di eventi | addetto/a all'allestimento",
                "nelle feste di quartiere | in un centro civico",
                "preparare gli spazi per gli eventi | accogliere il pubblico | allestire stand e palco"
                " | curare la comunicazione delle iniziative",
                learn="come si organizza un evento | il lavoro con i volontari | la comunicazione con il pubblico",
            ),
        ),
        _items(
            "come si organizza un evento | la gestione di un gruppo | la comunicazione con il pubblico"
            " | le basi della tecnica di palco"
        ),
        _items("animazione | organizzazione di eventi | musica | sport di squadra | lingua inglese B1"),
        _items("teatro | musica e rap | scrittura creativa | fumetto | murales e street art | radio"),
        _items("animatore/trice di centri estivi | organizzazione di eventi"),
    ),
    Theme(
        "pubblico",
        (
            line(
                "servizi ai cittadini, servizi sociali e politiche giovanili",
                "84.11",
                "",
                "addetto/a allo sportello | impiegato/a amministrativo/a | addetto/a all'archivio",
                "in Comune | all'ufficio protocollo | allo sportello anagrafe",
                "accogliere i cittadini e dare informazioni | archiviare e scansionare documenti"
                " | aggiornare le bacheche e il sito del servizio",
                names="Comune di {comune} | Comune di {comune} – Servizi Sociali",
            ),
            line(
                "informazione e orientamento per giovani su studio, lavoro e volontariato",
                "84.11",
                "",
                "operatore/trice Informagiovani | addetto/a alla comunicazione",
                "allo sportello Informagiovani",
                "accogliere ragazze e ragazzi allo sportello | aggiornare la bacheca degli annunci"
                " | curare i canali social del servizio",
                names="Informagiovani di {comune}",
            ),
            line(
                "prestito librario, promozione della lettura e spazi studio",
                "91.11",
                "",
                "aiuto bibliotecario/a | addetto/a al prestito",
                "in biblioteca civica",
                "riordinare i libri sugli scaffali | gestire prestiti e restituzioni"
                " | aiutare nelle letture per bambini",
                names="Biblioteca civica di {comune}",
            ),
            line(
                "istruzione secondaria tecnica e professionale",
                "85.32",
                "",
                "assistente tecnico/a di laboratorio | collaboratore/trice scolastico/a | addetto/a alla segreteria",
                "nella segreteria della scuola | nei laboratori della scuola",
                "preparare i laboratori | accogliere studenti e famiglie | archiviare i documenti",
                names="Istituto di Istruzione Superiore di {comune} | Istituto Professionale di {comune}",
            ),
            line(
                "gestione associata dei servizi sociali per i Comuni dell'ambito",
                "88.99",
                "",
                "impiegato/a amministrativo/a | addetto/a alla segreteria",
                "negli uffici dell'ambito",
                "archiviare le pratiche | inserire dati nel gestionale | accogliere il pubblico",
                names="Azienda Speciale Consortile {place} | Ufficio di Piano dell'Ambito di {comune}",
            ),
        ),
        _items("come funziona un ufficio pubblico | la gestione dei documenti | la relazione con i cittadini"),
        _items("pacchetto Office | archiviazione | relazione con il pubblico | uso della PEC"),
        _items("cittadinanza attiva | educazione civica digitale"),
        _items("SPID e servizi online della PA"),
    ),
    Theme(
        "formazione",
        (
            line(
                "formazione professionale per giovani e adulti",
                "85.59 | 85.32",
                "Formazione | Academy | Scuola dei Mestieri",
                "addetto/a alla segreteria didattica | tutor d'aula | aiuto formatore/trice",
                "in un centro di formazione | in aula",
                "accogliere gli allievi e gestire le iscrizioni | preparare le aule e i materiali"
                " | aggiornare i registri delle presenze | aiutare nella promozione dei corsi",
            ),
            line(
                "corsi di lingua italiana per stranieri e percorsi di orientamento",
                "85.59",
                "Formazione | Lingue",
                "tutor d'aula | addetto/a all'orientamento",
                "allo sportello orientamento | in aula",
                "accogliere i nuovi iscritti | preparare i materiali delle lezioni"
                " | aggiornare i registri delle presenze",
            ),
            line(
                "corsi per la patente e formazione sulla sicurezza",
                "85.53 | 85.59",
                "Autoscuola | Sicurezza | Formazione",
                "addetto/a alla segreteria | aiuto istruttore/trice di teoria",
                "in autoscuola | in un centro di formazione sulla sicurezza",
                "gestire le iscrizioni | preparare le aule e i materiali | prenotare gli esami",
            ),
        ),
        _items("l'organizzazione di un corso | la gestione di una segreteria | il lavoro con i gruppi"),
        _items("pacchetto Office | lingua inglese B1 | organizzazione | relazione con il pubblico"),
        _items("public speaking | comunicazione efficace"),
        _items(
            "lingua italiana per stranieri (L2) | inglese per il lavoro"
            " | sicurezza sul lavoro – formazione generale | contabilità di base | preparazione alla patente B"
        ),
    ),
)

# Which fields fit each organisation kind, with weights (what such organisations usually do).
THEMES_BY_ORGANIZATION_KIND: dict[str, tuple[tuple[str, int], ...]] = {
    "company": weights(
        "logistica:16 | ristorazione:12 | commercio:14 | manifattura:14 | servizi_persona:8 | servizi_supporto:8"
        " | agricoltura:6 | edilizia:10 | informatica:8 | formazione:4"
    ),
    # Type B cooperatives employ disadvantaged workers in productive activities.
    "social_coop_b": weights(
        "servizi_supporto:30 | servizi_persona:15 | ristorazione:15 | agricoltura:12 | logistica:12"
        " | manifattura:10 | commercio:6"
    ),
    # Type A cooperatives run social, health and educational services.
    "social_coop_a": weights("assistenza:80 | formazione:10 | cultura:10"),
    "social_enterprise": weights(
        "ristorazione:25 | commercio:25 | informatica:20 | formazione:15 | servizi_persona:15"
    ),
    "association": weights("cultura:60 | assistenza:15 | formazione:25"),
    "public_body": weights("pubblico:100"),
}
ORGANIZATION_KIND_WEIGHTS = weights(
    "company:60 | social_coop_b:12 | social_coop_a:8 | social_enterprise:5 | association:10 | public_body:5"
)

# --- Names and places ------------------------------------------------------------------------

PLACE_WORDS = _items("Martesana | Adda | Naviglio | Est Milano | Lombarda | Padana | Melzese | Trezzese")
# An empty legal form: a ditta individuale named after its trade ("Rossi Impianti").
COMPANY_LEGAL_FORMS = weights("S.r.l.:50 | S.r.l.s.:10 | S.n.c.:12 | S.a.s.:10 | S.p.A.:5 | :13")
COMPANY_PATTERNS = weights(
    "{surname} {word}:35 | {word} {surname}:20 | {word} {place}:20 | Fratelli {surname} {word}:8"
    " | {surname} & {surname2} {word}:10 | Nuova {word} {place}:7"
)
SOCIAL_NAMES = _items(
    "Il Germoglio | La Lanterna | Arcobaleno | Il Ponte | La Bussola | Il Quadrifoglio | Il Girasole | Controvento"
    " | La Rete | Filo d'Erba | Terra Buona | Mani in Pasta | L'Officina | Il Sentiero | La Fenice | L'Approdo"
    " | Il Seme | La Tenda | Fuori Rotta | Il Melograno | La Spiga | Il Faro | L'Albero | Passo dopo Passo"
    " | La Ginestra | Il Mosaico | Nuovi Orizzonti | Il Cortile | La Bottega | Il Granello | Alveare"
    " | L'Aquilone | La Carovana | Il Cerchio | Oltre il Muro | Costruire Insieme | Il Tornio | La Chiocciola"
    " | Sentieri d'Adda | Il Borgo"
)
COOP_PATTERNS = _items(
    "Cooperativa Sociale {name} Onlus | {name} Società Cooperativa Sociale | Cooperativa Sociale {name}"
    " | {name} Coop. Sociale a r.l."
)
ASSOCIATION_PATTERNS = _items(
    "Associazione {name} APS | {name} ODV | A.S.D. {name} | Fondazione {name} ETS | Circolo {name} APS"
    " | Associazione Giovani {place}"
)
SOCIAL_ENTERPRISE_PATTERNS = _items("{name} Impresa Sociale S.r.l. | {name} Impresa Sociale")
STREET_NAMES = _items(
    "Via Roma | Via Milano | Via Garibaldi | Via Dante | Via Matteotti | Via Manzoni | Via Verdi"
    " | Via dell'Industria | Via dell'Artigianato | Via Martiri della Libertà | Via per Cassano | Viale Lombardia"
    " | Via Cavour | Via Mazzini | Via Volta | Via Leonardo da Vinci | Via Gramsci | Via XXV Aprile"
    " | Via IV Novembre | Via San Francesco | Via Papa Giovanni XXIII | Via Don Milani | Via dei Mille | Via Adda"
    " | Via Martesana | Via Padana Superiore | Via Cassanese | Via Galileo Galilei | Via Einaudi | Via Kennedy"
    " | Via Marconi | Piazza della Repubblica"
)

# The enti partner of the network: fixed and invented. (name, district code or None)
PARTNERS: tuple[tuple[str, str | None], ...] = (
    ("SIL Distretto 5 Melzo", "melzo"),
    ("Consorzio Sociale Adda Martesana", "cernusco"),
    ("Cooperativa Sociale Il Ponte sull'Adda", "trezzo"),
    ("Informagiovani della Martesana", "pioltello"),
    ("Cooperativa Sociale Naviglio Solidale", "cernusco"),
    ("Antenna territoriale di Cassano d'Adda", "melzo"),
)

# Rough population weights (thousands / 5) so big comuni get more rows; unlisted comuni weigh 1.
MUNICIPALITY_WEIGHTS = dict(
    weights(
        "Pioltello:7 | Segrate:7 | Cernusco sul Naviglio:7 | Gorgonzola:4 | Cassano d'Adda:4 | Melzo:4"
        " | Vimodrone:3 | Carugate:3 | Cassina de' Pecchi:3 | Trezzo sull'Adda:2 | Inzago:2 | Vaprio d'Adda:2"
        " | Pessano con Bornago:2 | Vignate:2 | Milano:30 | Sesto San Giovanni:6 | Cinisello Balsamo:5 | Rho:4"
        " | Legnano:4 | San Donato Milanese:3 | Paullo:2"
    )
)
# Share of rows placed in the four Adda Martesana ambiti; the rest go elsewhere in the Città metropolitana.
LOCAL_SHARE = 0.82

# --- Opportunity text --------------------------------------------------------------------------

# Title templates per opportunity kind. Fields: role, Role, setting, workshop, course, place,
# place_short, guidance, comune, in_comune ("a Melzo", "ad Agrate").
TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "internship": _items(
        "Tirocinio extracurricolare come {role} | Tirocinio come {role} {setting} | {Role} – tirocinio extracurricolare"
        " | Tirocinio formativo: {role} {setting} | Tirocinio extracurricolare {setting} {in_comune}"
    ),
    "inclusion_internship": _items(
        "Tirocinio di inclusione {setting} | Tirocinio risocializzante come {role}"
        " | Percorso di inclusione lavorativa: {role} | Tirocinio di inclusione come {role} {in_comune}"
    ),
    "work_grant": _items(
        "Borsa lavoro {setting} – {role} | Borsa lavoro come {role} | Borsa lavoro {in_comune}: {role}"
    ),
    "curricular_stage": _items(
        "Stage curricolare come {role} | Stage curricolare {setting} | Stage per studenti: {role}"
    ),
    "pcto": _items(
        "PCTO {setting}: una settimana da {role} | Percorso PCTO come {role} | PCTO {in_comune} – {role}"
        " | PCTO: scopri il lavoro {setting}"
    ),
    "workshop": _items(
        "Laboratorio esperienziale di {workshop} | Laboratorio di {workshop} per ragazzi e ragazze"
        " | Laboratorio di {workshop} {in_comune} | Impara facendo: laboratorio di {workshop}"
    ),
    "volunteering": _items(
        "Volontariato {place} | Cerchiamo volontari {place} | Volontariato {in_comune}: {place_short}"
        " | Diventa volontario/a {place} | Volontariato {place} {in_comune}"
        " | Volontari {place}: bastano poche ore alla settimana"
    ),
    "course": _items(
        "Corso di formazione: {course} | Corso gratuito di {course} | Corso di {course} {in_comune}"
        " | Corso serale di {course}"
    ),
    "guidance": _items(
        "{guidance} | {guidance} {in_comune} | {guidance} – incontri individuali | {guidance} – sportello di {comune}"
        " | {guidance}: iscrizioni aperte"
    ),
    "apprenticeship": _items(
        "Apprendistato come {role} | Apprendistato {setting}: {role} | {Role} in apprendistato {in_comune}"
    ),
    "job": _items(
        "{Role} – contratto a tempo determinato | Cercasi {role} part-time | {Role} {setting}"
        " | Assunzione come {role} {in_comune} | {Role} (categoria protetta L. 68/99)"
    ),
}

# (phrase after "Volontariato …", short label, what the volunteer does)
VOLUNTEERING_PLACES: tuple[tuple[str, str, str], ...] = (
    ("presso l'emporio solidale", "emporio solidale",
     "sistemare gli scaffali e accogliere le famiglie che fanno la spesa con la tessera"),
    ("al doposcuola per ragazzi delle medie", "doposcuola", "aiutare ragazze e ragazzi a fare i compiti"),
    ("per la raccolta alimentare", "raccolta alimentare",
     "raccogliere e smistare le donazioni davanti ai supermercati"),
    ("in biblioteca civica", "biblioteca", "riordinare i libri e aiutare nelle letture per bambini"),
    ("in RSA: compagnia agli anziani", "compagnia agli anziani",
     "fare compagnia agli ospiti, leggere il giornale e giocare a carte"),
    ("al canile intercomunale", "canile", "portare a passeggio i cani e aiutare nella pulizia dei box"),
    ("nella ciclofficina di quartiere", "ciclofficina", "riparare biciclette insieme ai meccanici volontari"),
    ("nell'orto condiviso", "orto condiviso", "curare le aiuole e l'orto insieme agli abitanti del quartiere"),
    ("alla mensa solidale", "mensa solidale", "preparare e servire i pasti"),
    ("nei centri estivi comunali", "centri estivi", "affiancare gli educatori nei giochi con i bambini"),
    ("per la pulizia delle rive dell'Adda", "rive dell'Adda",
     "raccogliere rifiuti e fare piccola manutenzione dei sentieri"),
    ("allo sportello di lingua italiana", "scuola di italiano",
     "aiutare persone straniere a esercitarsi con l'italiano"),
    ("al guardaroba solidale", "guardaroba solidale", "selezionare e sistemare gli abiti donati"),
)  # fmt: skip

# Topics any organisation may run, on top of its own field's.
GENERIC_WORKSHOPS = _items(
    "cucina | falegnameria | fotografia | teatro | orto sociale | ciclofficina | video making | serigrafia"
    " | sartoria e riuso | musica"
)
GENERIC_COURSES = _items(
    "informatica di base | lingua italiana per stranieri (L2) | inglese per il lavoro"
    " | sicurezza sul lavoro – formazione generale | HACCP per alimentaristi | preparazione al colloquio di lavoro"
    " | competenze digitali e basi dell'informatica"
)
GUIDANCE_TITLES = _items(
    "Orientamento e bilancio di competenze | Bilancio di competenze per giovani NEET"
    " | Sportello di orientamento al lavoro | Scrivere il curriculum e prepararsi al colloquio"
    " | Orientamento alla scelta della scuola superiore | Orientamento: riprendere gli studi"
    " | Percorso di orientamento per donne che rientrano nel lavoro | Colloqui di orientamento con il case manager"
)

WHAT_YOU_DO_INTROS = _items(
    "Ti occuperai di {t1} e di {t2}. | Affiancherai il personale per {t1} e {t2}."
    " | Le attività principali sono {t1} e {t2}, con un tutor sempre presente."
    " | Nelle prime settimane imparerai {a_t1}; poi potrai {t2} in autonomia."
)
LEARNING_SENTENCES = _items(
    "Imparerai {l1} e {l2}. | È un'occasione per conoscere {l1} e capire se questo lavoro fa per te."
    " | Alla fine del percorso avrai fatto pratica con {l1} e {l2}."
    " | Il tutor ti aiuterà a imparare {l1}, passo dopo passo."
)
WORKSHOP_SENTENCES = _items(
    "Un laboratorio pratico di {topic} in piccoli gruppi: si impara facendo, senza voti né giudizi."
    " | In {n} incontri, con un educatore e un artigiano del territorio, si realizza un progetto di {topic}."
    " | Il laboratorio di {topic} è uno spazio per mettersi alla prova, lavorare in gruppo e scoprire talenti."
)
COURSE_SENTENCES = _items(
    "Il corso ha {n} lezioni con esercitazioni pratiche e materiali in italiano semplice."
    " | In {n} incontri affronterai il programma di «{course}» con esempi pratici e un docente esperto."
    " | Il corso alterna teoria e pratica, con un docente che conosce bene il mondo del lavoro."
)
GUIDANCE_SENTENCES = _items(
    "Colloqui individuali e incontri di gruppo per fare il punto su competenze, interessi e obiettivi."
    " | Insieme a un orientatore ricostruirai il tuo percorso e preparerai un piano d'azione."
    " | Un percorso breve per capire da dove partire: curriculum, ricerca attiva e servizi del territorio."
)
VOLUNTEERING_SENTENCES = _items(
    "Cerchiamo persone disponibili {a_what}. | I volontari ci aiutano {a_what}."
    " | Ti chiediamo qualche ora per {what}, insieme ad altri volontari."
)

# Who it is for, per kind: one sentence each.
WHO_SENTENCES: dict[str, tuple[str, ...]] = {
    "internship": _items(
        "È rivolto a giovani che hanno concluso gli studi, anche senza esperienza."
        " | Non serve esperienza: conta la voglia di imparare e la puntualità."
        " | Il tirocinio è attivato con una convenzione tra l'azienda e un ente promotore accreditato."
    ),
    "inclusion_internship": _items(
        "È pensato per persone seguite dai servizi sociali o dal SIL che vogliono riprendere un ritmo di lavoro."
        " | Il percorso è concordato con l'operatore che ti segue e prevede verifiche periodiche."
    ),
    "work_grant": _items(
        "La borsa lavoro è attivata in accordo con il servizio sociale del Comune di residenza."
        " | È pensata per chi ha bisogno di un primo passo verso il lavoro, con un tutor dedicato."
    ),
    "curricular_stage": _items(
        "Per studenti universitari o di ITS che devono svolgere lo stage previsto dal piano di studi."
        " | Lo stage si svolge in convenzione con l'università o la scuola di provenienza."
    ),
    "pcto": _items(
        "Per studenti delle scuole superiori del territorio, in convenzione con l'istituto."
        " | Il percorso vale come ore di PCTO ed è concordato con il tutor scolastico."
    ),
    "workshop": _items(
        "Per ragazze e ragazzi che non studiano e non lavorano o che vogliono scoprire nuove passioni."
        " | Non servono competenze: basta la curiosità."
    ),
    "volunteering": _items(
        "Aperto a chiunque abbia qualche ora libera alla settimana;"
        " i minorenni partecipano con il consenso dei genitori."
        " | Non serve esperienza: ti affianca un volontario esperto."
    ),
    "course": _items(
        "Il corso è gratuito e aperto a giovani e adulti in cerca di lavoro."
        " | È pensato per chi vuole rimettersi in gioco e ottenere un attestato utile per il curriculum."
    ),
    "guidance": _items(
        "Per chi è in una fase di transizione: fine della scuola, ricerca del lavoro o voglia di cambiare strada."
        " | Il servizio è gratuito e riservato a chi vive o studia nell'area della Martesana."
    ),
    "apprenticeship": _items(
        "Cerchiamo giovani tra i 18 e i 29 anni; il contratto prevede formazione interna ed esterna."
        " | L'apprendistato è un vero contratto di lavoro che ti permette di imparare un mestiere."
    ),
    "job": _items(
        "Sono richieste puntualità e disponibilità a lavorare su turni."
        " | Cerchiamo una persona motivata, anche con poca esperienza."
        " | La posizione è aperta anche a persone iscritte al collocamento mirato."
    ),
}
# A second sentence for the kinds that are not a placement in a workplace.
EXTRA_SENTENCES: dict[str, tuple[str, ...]] = {
    "workshop": _items(
        "Alla fine porterai a casa qualcosa realizzato da te e nuove competenze da scrivere nel curriculum."
        " | Il gruppo è seguito da un educatore che aiuta ciascuno a riconoscere i propri talenti."
    ),
    "volunteering": _items(
        "È un modo per conoscere persone nuove e fare qualcosa di utile per la comunità."
        " | Il volontariato vale anche come esperienza da raccontare in un colloquio di lavoro."
    ),
    "course": _items(
        "Al termine è previsto un attestato di frequenza."
        " | Chi completa il corso può essere segnalato alle aziende della rete per un tirocinio."
    ),
    "guidance": _items(
        "Ne uscirai con un curriculum aggiornato e un'idea più chiara dei prossimi passi."
        " | Il case manager ti aiuterà a scegliere tra tirocini, corsi e opportunità del territorio."
    ),
}
# When the hours are done, by how many there are: (up to this many hours a week, slots).
TIME_SLOTS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (15, _items("due pomeriggi alla settimana | tre mattine alla settimana | in orario flessibile")),
    (29, _items("al mattino | al pomeriggio | su turni | in orario flessibile | dal lunedì al venerdì")),
    (40, _items("dal lunedì al venerdì | su turni | dal lunedì al sabato con un giorno di riposo")),
)
_MESSAGES = _items(
    "Buongiorno, sono interessato/a a questa opportunità perché vorrei imparare un mestiere."
    " | Salve, mi piacerebbe partecipare: abito vicino e posso iniziare subito."
    " | Ho già fatto un'esperienza simile e vorrei continuare in questo settore."
    " | Mi ha segnalato questa opportunità l'operatrice del SIL."
    " | Vorrei mettermi alla prova perché da qualche mese sto cercando lavoro."
    " | Sono disponibile anche il sabato. Grazie per l'attenzione."
    " | Ho il diploma e cerco un'esperienza per capire cosa mi piace fare."
    " | Non ho esperienza ma ho tanta voglia di imparare."
)
# Many people apply without writing anything: two empty messages in ten.
APPLICATION_MESSAGES = (*_MESSAGES, "", "")

# --- People ------------------------------------------------------------------------------------

TRANSVERSAL_SKILLS = _items(
    "lingua inglese A2 | lingua inglese B1 | pacchetto Office | lavoro in squadra | puntualità"
    " | uso dello smartphone | problem solving | HACCP | primo soccorso | disegno"
)
SECOND_LANGUAGES = weights(
    "inglese:30 | arabo:12 | rumeno:8 | albanese:6 | spagnolo:8 | francese:6 | cinese:3 | ucraino:4 | tagalog:2"
    " | bengalese:2 | wolof:2 | urdu:2 | portoghese:2 | tedesco:2"
)
ASPIRATIONS = _items(
    "Mi piacerebbe diventare {role}. | Vorrei lavorare {setting} e imparare bene il mestiere."
    " | Cerco un'esperienza per capire cosa mi piace fare. | Voglio finire gli studi e trovare un lavoro vicino a casa."
    " | Vorrei rimettermi in gioco dopo un periodo difficile."
    " | Mi interessa un lavoro stabile, anche part-time, per essere più autonomo/a."
    " | Sogno di aprire un'attività tutta mia, ma prima voglio fare esperienza {setting}."
    " | Vorrei fare un corso di {course} e poi cercare lavoro."
    " | Mi piace stare con le persone e vorrei un lavoro dove aiutare gli altri."
)
# Birthplaces for people not born where they live: cadastral codes of Milano (most), Roma,
# Napoli, Palermo, Torino, Bari.
OTHER_BIRTHPLACES = ("F205", "F205", "F205", "H501", "F839", "G273", "L219", "A662")

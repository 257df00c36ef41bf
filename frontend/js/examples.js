// Example places, one per staged dataset of data/, so that a newcomer sees every layer at work in
// one click. Each point was checked against the data with `urbaclic lookup --lat … --lon …`; most
// come from the differential point set tests/fixtures/real_data/points.tsv (the point of each
// region hitting the most layers) or from tests/real_data.rs, and the rest from the layers
// endpoint (a point inside the assiette). If the data changes, re-check them the same way.

export const EXAMPLES = [
  {
    id: 'paris-barbes', lat: 48.886799, lon: 2.349785, zoom: 18,
    title: 'Paris 18e — 40 boulevard Barbès',
    what: 'Adresse BAN, parcelle cadastrale, secteur d\'anciennes carrières ; pas de PLU chargé',
  },
  {
    id: 'epinay', lat: 48.682286, lon: 2.326582, zoom: 16,
    title: 'Épinay-sur-Orge — parcelle AB 37',
    what: 'Cadastre Etalab seul : l\'absence de données d\'urbanisme est signalée',
  },
  {
    id: 'arpaillargues', lat: 44.0000655, lon: 4.373672, zoom: 16,
    title: 'Arpaillargues-et-Aureillac — centre ancien',
    what: 'PLU (2017) : zone Ua, droit de préemption, informations du PLU',
  },
  {
    id: 'pezou', lat: 47.8893379, lon: 1.1739936, zoom: 16,
    title: 'Pezou — élément de paysage protégé',
    what: 'PLU (2014) : zone N et prescription de protection du patrimoine',
  },
  {
    id: 'plui-cher', lat: 46.7854579, lon: 2.7884139, zoom: 15,
    title: 'PLUi 241800432 (Cher) — bord de cours d\'eau',
    what: 'PLU intercommunal (2020) : zone N, constructibilité limitée',
  },
  {
    id: 'rennes', lat: 48.0941417, lon: -1.6757154, zoom: 18,
    title: 'Rennes — parcelle en zone UB2',
    what: 'Parcelle et zone d\'un extrait de PLU, part de la zone sur la parcelle',
  },
  {
    id: 'ajaccio-ac1', lat: 41.9199043, lon: 8.7367823, zoom: 16,
    title: 'Ajaccio — abords de monuments historiques',
    what: 'Servitudes AC1 : une quinzaine de périmètres de protection superposés',
  },
  {
    id: 'auneau-pm3', lat: 48.457985, lon: 1.768417, zoom: 14,
    title: 'Eure-et-Loir — servitude de PPRT',
    what: 'Servitude PM3 (plan de prévention des risques technologiques, 2014)',
  },
  {
    id: 'comps-int1', lat: 43.710892, lon: 6.510964, zoom: 17,
    title: 'Comps-sur-Artuby — voisinage du cimetière',
    what: 'Servitude INT1 autour du cimetière',
  },
  {
    id: 'vosges-a5', lat: 47.949725, lon: 6.656359, zoom: 14,
    title: 'Vosges — canalisation publique',
    what: 'Servitude A5 (canalisations d\'eau et d\'assainissement)',
  },
  {
    id: 'bourg-doisans-pprn', lat: 45.0170977, lon: 6.0572644, zoom: 15,
    title: 'Le Bourg-d\'Oisans — zone rouge du PPRN',
    what: 'Risques naturels (2022) : zone inconstructible sauf exceptions',
  },
  {
    id: 'grenoble-pprn', lat: 45.1726356, lon: 5.6697307, zoom: 15,
    title: 'Agglomération grenobloise — PPRN de 2003',
    what: 'Risques naturels : constructible sous prescriptions (glissements de terrain)',
  },
  {
    id: 'domene-pprt', lat: 45.2020858, lon: 5.8258557, zoom: 16,
    title: 'Domène — PPRT Sobégal',
    what: 'Risques technologiques (2017) : zone grise, interdiction stricte',
  },
  {
    id: 'saint-didier-pprm', lat: 45.5525731, lon: 5.489795, zoom: 15,
    title: 'Saint-Didier-de-la-Tour — PPRM',
    what: 'Risques miniers (2022) : zone d\'interdiction stricte',
  },
];

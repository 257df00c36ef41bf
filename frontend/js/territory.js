// Outside the loaded territory: an answer where no loaded layer covers the point (no commune
// outline, no cadastre, no planning document, no easement or risk data, no zoning map) says nothing
// about the place, so the page says that instead of a fiche of "not loaded" sections — a click in
// the sea off Cornwall is not a French planning question.

import { el } from './format.js';

/** Whether no loaded data at all covers the answer's place (its `coverage`, `zonings`, parcel). */
export function outsideTerritory(answer) {
  const c = answer.coverage || {};
  const covered = c.commune || c.cadastre || c.planning || c.servitudes || c.risks
    || (answer.zonings || []).some((z) => z.covered)
    || answer.commune || answer.parcel || answer.nearest_parcel;
  return !covered;
}

/** The message shown instead of a fiche outside the loaded territory. */
export function renderOutside(root) {
  root.replaceChildren(el('div', { class: 'alert alert-warn outside', role: 'status', 'data-testid': 'outside' },
    el('h2', {}, 'Hors du territoire chargé'),
    el('p', {}, 'Aucune des données chargées dans ce service (communes, cadastre, documents d\'urbanisme, '
      + 'servitudes, risques, autres zonages) ne couvre ce point : il ne peut rien en dire.'),
    el('p', {}, 'Dézoomez : les repères jaunes montrent les lieux dont les données sont chargées. '
      + 'Pour un autre lieu de France, consultez le Géoportail de l\'Urbanisme ou la mairie.')));
}

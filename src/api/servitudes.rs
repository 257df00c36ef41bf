//! `GET /api/servitudes/categories`: every category of the national SUP nomenclature with what it
//! means for a building project, who is consulted and its legal basis (see
//! [`crate::nomenclature::SupCategory`]). The table is compiled into the binary: it does not
//! depend on the data loaded.

use axum::Json;

use crate::nomenclature::{nomenclature, SupCategory};

#[utoipa::path(
    get,
    path = "/api/servitudes/categories",
    summary = "Catégories de servitudes d'utilité publique",
    description = "Chaque catégorie de la nomenclature nationale des SUP : son effet sur un projet, qui est consulté, sa base légale et la source de ce texte.",
    tag = "urbanisme",
    responses((status = 200, description = "Les catégories de SUP de la nomenclature nationale", body = [SupCategory]))
)]
pub async fn get_categories() -> Json<&'static [SupCategory]> {
    Json(nomenclature().sup_categories())
}

//! `GET /api/servitudes/categories`: every category of the national SUP nomenclature with what it
//! means for a building project, who is consulted and its legal basis (see
//! [`crate::nomenclature::SupCategory`]). The table is compiled into the binary: it does not
//! depend on the data loaded.

use axum::Json;

use crate::nomenclature::{nomenclature, SupCategory};

#[utoipa::path(
    get,
    path = "/api/servitudes/categories",
    tag = "urbanisme",
    responses((status = 200, description = "Les catégories de SUP de la nomenclature nationale", body = [SupCategory]))
)]
pub async fn get_categories() -> Json<&'static [SupCategory]> {
    Json(nomenclature().sup_categories())
}

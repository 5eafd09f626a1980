#include "gis/crs.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <mutex>

#include "core/error.hpp"
#include "site/site.hpp"

namespace sandan {

void init_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    const GdalQuiet quiet;
    GDALAllRegister();
  });
}

GdalQuiet::GdalQuiet() { CPLPushErrorHandler(CPLQuietErrorHandler); }
GdalQuiet::~GdalQuiet() { CPLPopErrorHandler(); }

struct CrsTransform::Impl {
  OGRSpatialReference source;
  OGRSpatialReference target;
  std::unique_ptr<OGRCoordinateTransformation> transform;
};

CrsTransform::CrsTransform(const std::string& source_crs, const std::string& target_crs)
    : impl_(std::make_unique<Impl>()) {
  init_gdal();
  const GdalQuiet quiet;
  if (impl_->source.SetFromUserInput(source_crs.c_str()) != OGRERR_NONE) {
    throw Error(ErrorCode::kBadInput, "unknown CRS '" + source_crs + "'");
  }
  if (impl_->target.SetFromUserInput(target_crs.c_str()) != OGRERR_NONE) {
    throw Error(ErrorCode::kBadInput, "unknown CRS '" + target_crs + "'");
  }
  // EPSG:4326 is officially latitude-first; sandan always passes longitude (easting) first.
  impl_->source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  impl_->target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  impl_->transform.reset(OGRCreateCoordinateTransformation(&impl_->source, &impl_->target));
  if (!impl_->transform) {
    throw Error(ErrorCode::kBadInput,
                "no coordinate transformation from '" + source_crs + "' to '" + target_crs + "'");
  }
}

CrsTransform::~CrsTransform() = default;
CrsTransform::CrsTransform(CrsTransform&&) noexcept = default;
CrsTransform& CrsTransform::operator=(CrsTransform&&) noexcept = default;

XY CrsTransform::apply(double x, double y) const {
  double xs = x;
  double ys = y;
  const GdalQuiet quiet;
  if (!impl_->transform->Transform(1, &xs, &ys)) {
    throw Error(ErrorCode::kBadInput,
                "PROJ could not transform (" + std::to_string(x) + ", " + std::to_string(y) + ")");
  }
  return {xs, ys};
}

XY lonlat_to_working(const LonLat& position) {
  static const CrsTransform kTransform("EPSG:4326", kDefaultCrs);
  return kTransform.apply(position.lon_deg, position.lat_deg);
}

LonLat working_to_lonlat(const XY& position) {
  static const CrsTransform kTransform(kDefaultCrs, "EPSG:4326");
  const XY p = kTransform.apply(position.x_m, position.y_m);
  return {p.x_m, p.y_m};
}

}  // namespace sandan

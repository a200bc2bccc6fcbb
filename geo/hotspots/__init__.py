"""Hot spots on a metric grid: cell counts and density, Gi*, emerging hot spots, time series of layers."""

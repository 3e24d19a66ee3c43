"""dragoman: ru/ar/en translation, summarisation and cross-lingual news briefs over gRPC."""

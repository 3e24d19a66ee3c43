"""The gRPC API layer: the only code that imports the generated protobuf modules."""

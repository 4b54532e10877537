/// Storage behind one protocol: local disk and S3 objects.
public enum ObjectStoreModule {}

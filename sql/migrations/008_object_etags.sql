-- Sources may be objects in a bucket (s3://bucket/prefix/...): source_files.path holds the
-- object's full URL, and etag the ETag it had when it was read. Object stores give
-- modification times to the second, so a rewrite of the same size within that second is
-- told apart by its ETag. Null for local files, whose size and mtime (to the microsecond)
-- tell; the rows already stored are all local.
alter table source_files add column etag varchar;

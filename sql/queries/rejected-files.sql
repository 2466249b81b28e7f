-- Input files that were not loaded (rejected, duplicate or removed), with the reason.
-- params: none
-- grain: one row per source file whose status is not 'loaded'.
with final as (
    select
        source_files.path,
        source_files.status,
        source_files.reason,
        source_files.duplicate_of,
        source_files.size_bytes,
        source_files.modified_at,
        source_files.loaded_at,
    from source_files
    where source_files.status <> 'loaded'
    order by source_files.status desc, source_files.path
)

select * from final

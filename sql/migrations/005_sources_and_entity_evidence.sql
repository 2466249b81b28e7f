-- Sources are identified by their full path: source_files.path and articles.source_path hold
-- the input folder's real path followed by the file's path under it, so two folders with the
-- same relative names load side by side. Rows written before hold paths relative to an input
-- folder the warehouse never recorded; no SQL can know that folder, so the first run whose
-- --input holds those files (checked against their recorded bytes) rewrites them
-- (warehouse/sources.py, adopt_relative_paths). Until then they stay exactly as they were.

-- Folders a run could not list: their files were not looked at, so nothing under them is
-- pruned. Each run replaces the rows under its own input folder.
create table unlisted_folders (
    folder_path varchar not null,   -- full path of the folder
    reason varchar not null,        -- why it could not be listed, and what to do
    checked_at timestamp not null   -- when the run that found it walked the input
);

-- What each article says about the people, organisations and context places it mentions:
-- the name it gives them and the country (from a title or qualifier), with how many mentions
-- say so. An entity's
-- name and country in `entities` are computed from all of its evidence in the warehouse
-- (warehouse/db.py, recompute_entities), so they do not depend on which load came last.
create table entity_evidence (
    article_id varchar not null,
    entity_id varchar not null,
    entity_type varchar not null,   -- person | organization | place (place:US-GA, place:US-WA)
    name varchar not null,          -- the entity's full name as this article gives it
    country_code varchar,           -- the country this article gives it; null when none
    mention_count integer not null, -- mentions in this article that give this name and country
    load_id bigint
);

-- Evidence for the articles already loaded, from their mentions: the name is the one the
-- entities table holds today, the country each mention's own.
insert into entity_evidence
select
    mentions.article_id,
    mentions.entity_id,
    entities.entity_type,
    entities.name,
    mentions.country_code,
    count(*)::integer as mention_count,
    any_value(mentions.load_id) as load_id,
from mentions
inner join entities
    on entities.entity_id = mentions.entity_id
where entities.entity_type in ('person', 'organization')
    or entities.entity_id in ('place:US-GA', 'place:US-WA')
group by mentions.article_id, mentions.entity_id, entities.entity_type, entities.name,
    mentions.country_code;

-- grain: one row per entity per day (mention_date, entity_id).
-- A mention counts for the entity it resolves to (entity_resolution): `Trump` alone, once
-- resolved, counts for `person:donald-trump`, with that person's name and country.
create or replace view entity_mentions_daily as

with dated_mentions as (
    select
        articles.published_date as mention_date,
        coalesce(resolution.canonical_entity_id, mentions.entity_id) as entity_id,
        mentions.article_id,
        mentions.mention_kind,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
    left join entity_resolution as resolution
        on resolution.entity_id = mentions.entity_id
),

per_day as (
    select
        mention_date,
        entity_id,
        count(*) as mention_count,
        count(distinct article_id) as article_count,
        list(distinct mention_kind order by mention_kind) as mention_kinds,
    from dated_mentions
    group by mention_date, entity_id
),

final as (
    select
        per_day.mention_date,
        per_day.entity_id,
        resolution.entity_type,
        resolution.name as entity_name,
        resolution.country_code,
        per_day.mention_count,
        per_day.article_count,
        per_day.mention_kinds,
    from per_day
    left join entity_resolution as resolution
        on resolution.entity_id = per_day.entity_id
)

select * from final

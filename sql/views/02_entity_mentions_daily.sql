-- grain: one row per entity per day (mention_date, entity_id).
create or replace view entity_mentions_daily as

with dated_mentions as (
    select
        articles.published_date as mention_date,
        mentions.entity_id,
        mentions.article_id,
        mentions.mention_kind,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
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
        entities.entity_type,
        entities.name as entity_name,
        entities.country_code,
        per_day.mention_count,
        per_day.article_count,
        per_day.mention_kinds,
    from per_day
    left join entities
        on entities.entity_id = per_day.entity_id
)

select * from final

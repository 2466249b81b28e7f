-- The most mentioned people (entity_type 'person') between two dates.
-- params: since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 10)
-- grain: one row per person entity.
with in_range as (
    select
        daily.entity_id,
        daily.entity_name,
        daily.country_code,
        daily.mention_date,
        daily.mention_count,
        daily.article_count,
    from entity_mentions_daily as daily
    where daily.entity_type = 'person'
        and daily.mention_date between $since and $until
),

per_entity as (
    select
        in_range.entity_id,
        any_value(in_range.entity_name) as entity_name,
        any_value(in_range.country_code) as country_code,
        sum(in_range.mention_count)::bigint as mention_count,
        sum(in_range.article_count)::bigint as article_count,
        min(in_range.mention_date) as first_mention_date,
        max(in_range.mention_date) as last_mention_date,
    from in_range
    group by in_range.entity_id
),

final as (
    select
        per_entity.entity_id,
        per_entity.entity_name,
        per_entity.country_code,
        per_entity.mention_count,
        per_entity.article_count,
        per_entity.first_mention_date,
        per_entity.last_mention_date,
    from per_entity
    order by per_entity.mention_count desc, per_entity.entity_id
    limit $limit
)

select * from final

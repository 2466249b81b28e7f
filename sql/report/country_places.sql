-- grain: one row per point mentioned as a place of country $country_code in articles published
-- between $since and $until: a city or subdivision (mention kind place), or a capital standing
-- for its country (kind capital, drawn at the capital's point and named as the text most often
-- wrote it). A mention counts for the country it was attributed to (a Soviet-era "Moscow" is
-- SU's), as country_mentions_daily counts it; places the gazetteer gives no point are left out.
with place_mentions as (
    select
        mentions.entity_id,
        mentions.mention_kind,
        mentions.surface,
        entities.name as entity_name,
        entities.latitude,
        entities.longitude,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
    inner join entities
        on entities.entity_id = mentions.entity_id
    where mentions.country_code = $country_code
        and mentions.mention_kind in ('place', 'capital')
        and articles.published_date between $since and $until
        and entities.latitude is not null
        and entities.longitude is not null
),

per_place as (
    select
        place_mentions.entity_id,
        place_mentions.mention_kind,
        any_value(place_mentions.entity_name) as entity_name,
        any_value(place_mentions.latitude) as latitude,
        any_value(place_mentions.longitude) as longitude,
        count(*) as mention_count,
    from place_mentions
    group by place_mentions.entity_id, place_mentions.mention_kind
),

-- A capital's entity is its country: name the point by the capital as written ("Washington").
capital_surfaces as (
    select
        place_mentions.entity_id,
        place_mentions.surface,
    from place_mentions
    where place_mentions.mention_kind = 'capital'
    group by place_mentions.entity_id, place_mentions.surface
    qualify row_number() over (
        partition by place_mentions.entity_id
        order by count(*) desc, place_mentions.surface
    ) = 1
),

final as (
    select
        per_place.entity_id,
        per_place.mention_kind,
        coalesce(capital_surfaces.surface, per_place.entity_name) as place_name,
        per_place.latitude,
        per_place.longitude,
        per_place.mention_count,
    from per_place
    left join capital_surfaces
        on capital_surfaces.entity_id = per_place.entity_id
        and per_place.mention_kind = 'capital'
    order by per_place.mention_count desc, place_name, per_place.entity_id
)

select * from final

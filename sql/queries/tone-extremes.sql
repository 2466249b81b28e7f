-- The most negative and the most positive country-days, of those with enough sentences.
-- params: min_sentences (int, default 5), since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 10)
-- grain: one row per side (most negative, most positive) per rank, 1 to limit.
with eligible as (
    select
        daily.mention_date,
        daily.country_code,
        daily.country_name,
        daily.sentences,
        daily.mean_tone,
        daily.positive_share,
        daily.negative_share,
    from country_tone_daily as daily
    where daily.mention_date between $since and $until
        and daily.sentences >= $min_sentences
        and daily.mean_tone is not null
),

most_negative as (
    select
        'most negative' as side,
        row_number() over (
            order by eligible.mean_tone, eligible.mention_date, eligible.country_code
        ) as side_rank,
        eligible.*,
    from eligible
    qualify side_rank <= $limit
),

most_positive as (
    select
        'most positive' as side,
        row_number() over (
            order by eligible.mean_tone desc, eligible.mention_date, eligible.country_code
        ) as side_rank,
        eligible.*,
    from eligible
    qualify side_rank <= $limit
),

final as (
    -- With fewer than twice `limit` country-days, one may be on both sides.
    select * from most_negative
    union all
    select * from most_positive
    order by side, side_rank
)

select * from final

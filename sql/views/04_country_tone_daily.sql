-- grain: one row per country per day (mention_date, country_code).
-- The tone of the sentences that mention a country by name, capital, demonym or place (the
-- mentions country_mentions_daily counts in mention_count), each sentence counted once however
-- often it names the country. A sentence's tone is VADER's compound, -1 to 1
-- (transforms/tone.py); it is positive from 0.05 and negative from -0.05 down, VADER's usual
-- cut-offs. mean_tone and the shares are over the sentences scored: a sentence loaded before
-- migration 009 and not read since has no tone, and counts in sentences only.
create or replace view country_tone_daily as

with country_sentences as (
    select distinct
        articles.published_date as mention_date,
        mentions.country_code,
        mentions.article_id,
        mentions.sentence_no,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
    where mentions.country_code is not null
        and mentions.mention_kind in ('name', 'capital', 'demonym', 'place')
),

scored as (
    select
        country_sentences.mention_date,
        country_sentences.country_code,
        sentence_spans.tone,
    from country_sentences
    left join sentence_spans
        on sentence_spans.article_id = country_sentences.article_id
        and sentence_spans.sentence_no = country_sentences.sentence_no
),

per_day as (
    select
        mention_date,
        country_code,
        count(*) as sentences,
        avg(tone) as mean_tone,
        count(*) filter (where tone >= 0.05) / nullif(count(tone), 0) as positive_share,
        count(*) filter (where tone <= -0.05) / nullif(count(tone), 0) as negative_share,
    from scored
    group by mention_date, country_code
),

final as (
    select
        per_day.mention_date,
        per_day.country_code,
        countries.name as country_name,
        per_day.sentences,
        per_day.mean_tone,
        per_day.positive_share,
        per_day.negative_share,
    from per_day
    left join countries
        on countries.country_code = per_day.country_code
)

select * from final

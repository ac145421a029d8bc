namespace EcgExperiments.Synthetic.Tests;

public sealed class DatabaseTests
{
    [Fact]
    public void Record_i_does_not_depend_on_the_database_size()
    {
        var small = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 5, Seed = 3 });
        var large = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 500, Seed = 3 });
        for (int i = 0; i < 5; i++)
        {
            var a = small.Record(i);
            var b = large.Record(i);
            Assert.Equal(a.Condition, b.Condition);
            Assert.True(a.Signal.Leads[7].AsSpan().SequenceEqual(b.Signal.Leads[7]));
        }
        Assert.Equal(small.Labels(), large.Labels().Take(5).ToArray());
    }

    [Fact]
    public void Class_balance_is_exact_per_block_and_labels_match_records()
    {
        var db = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 100, Seed = 8, HypertrophyFraction = 0.25 });
        var labels = db.Labels();
        Assert.Equal(25, labels.Sum());
        for (int block = 0; block < 5; block++) Assert.Equal(5, labels.Skip(block * 20).Take(20).Sum());
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(labels[i] == 1 ? SyntheticCondition.Hypertrophy : SyntheticCondition.Normal, db.Record(i).Condition));
        // no period-4 pattern a split by index could learn
        Assert.True(Enumerable.Range(0, 4).Select(r => labels.Where((_, i) => i % 4 == r).Sum()).Distinct().Count() > 1);
    }

    [Fact]
    public void Fractional_balance_is_kept_over_blocks()
    {
        var db = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 1000, Seed = 1, HypertrophyFraction = 0.22 });
        Assert.Equal(220, db.Labels().Sum());
    }

    [Fact]
    public void Different_database_seeds_give_different_records_and_labels()
    {
        var a = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 40, Seed = 1 });
        var b = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 40, Seed = 2 });
        Assert.NotEqual(a.Labels(), b.Labels());
        Assert.NotEqual(a.SeedOf(0), b.SeedOf(0));
    }

    [Fact]
    public void Card_says_what_the_data_is()
    {
        var db = new SyntheticEcgDatabase(new SyntheticDatabaseOptions { Count = 40, Seed = 5, HypertrophyFraction = 0.5 });
        var card = db.Card;
        Assert.Equal("synthetic, generated", card.Source);
        Assert.Equal(40, card.RecordCount);
        Assert.Equal(20, card.ClassCounts["HYP"]);
        Assert.Equal(20, card.ClassCounts["NORM"]);
        Assert.Equal(100, card.SamplingRate);
        Assert.Equal(1000, card.SamplesPerRecord);
        Assert.Equal(12, card.Leads.Count);
        Assert.Contains("McSharry", card.Citation);
        Assert.Equal("syn-000007", db.Record(7).Signal.RecordId);
        Assert.Equal(40, db.Records().Count());
    }

    [Fact]
    public void Bad_database_options_name_the_setting()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticEcgDatabase(new SyntheticDatabaseOptions { HypertrophyFraction = 1.5 }));
        Assert.Equal("HypertrophyFraction", e.ParamName);
    }
}

"""Results of one replication: recording, KPIs, the verdict, summaries, paired differences and
theory checks."""

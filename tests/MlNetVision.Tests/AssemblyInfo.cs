// libtorch has one global random generator (weight init, dropout, augmentation draws in tests): test classes running
// in parallel would draw from it between another test's manual_seed and its use, and seeded runs would stop being
// reproducible. On 2 cores libtorch already uses both, so running test classes one at a time costs little.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

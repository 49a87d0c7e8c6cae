using MlNetVision.Cli.Running;

return await new CliApp(Console.Out, Console.Error).RunAsync(args);

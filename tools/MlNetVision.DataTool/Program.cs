using MlNetVision.Data;

// Data-set tools. Usage:
//   dotnet run --project tools/MlNetVision.DataTool -- fashion-mnist <target> [trainPerClass=100] [validPerClass=30] [testPerClass=0] [sourceFolder]
if (args.Length >= 2 && args[0] == "fashion-mnist")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    var written = FashionMnist.WriteFolder(args[1], Arg(2, 100), Arg(3, 30), Arg(4, 0), args.Length > 5 ? args[5] : null);
    Console.WriteLine($"Wrote {written} PNG files to {Path.GetFullPath(args[1])}");
    return 0;
}

Console.Error.WriteLine("usage: fashion-mnist <target> [trainPerClass=100] [validPerClass=30] [testPerClass=0] [sourceFolder]");
return 2;

namespace MlNetVision.Cli.Arguments;

/// <summary>What kind of data the user pointed at.</summary>
public enum DataInputKind
{
    /// <summary>A folder: class folders, or ImageNet-style train/ and valid/ folders of class folders.</summary>
    Folder,

    /// <summary>A CSV file of <c>file,label</c> rows; file names are relative to the CSV's folder.</summary>
    Csv,
}

namespace MlNetVision.IO;

/// <summary>Writes files so that a reader never sees a half-written one: write a temporary file in the same folder, then rename it over the target.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically, creating the folder when needed.</summary>
    /// <returns>The full path written.</returns>
    public static string WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var bytesCopy = bytes.ToArray();
        return Write(path, stream => stream.Write(bytesCopy));
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Lets <paramref name="write"/> fill a temporary file next to <paramref name="path"/>, then renames it over the target. On failure the target is left as it was.</summary>
    /// <returns>The full path written.</returns>
    public static string Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return full;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}

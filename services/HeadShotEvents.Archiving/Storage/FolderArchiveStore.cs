namespace HeadShotEvents.Archiving.Storage;

/// <summary>
/// The embedded default: files under a folder, written to a temporary name and renamed, so a
/// reader never sees half an image and an overwrite is all-or-nothing.
/// </summary>
public sealed class FolderArchiveStore(string root) : IArchiveStore
{
    private readonly string _root = Path.GetFullPath(root);

    public async Task<string> PutAsync(string key, byte[] content, string contentType, string sha256, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return new Uri(path).AbsoluteUri;
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }

    public Task CheckAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        // Keys are built from a Guid and an index, but a store never writes outside its root.
        return path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ArgumentException($"The key '{key}' leaves the archive folder.", nameof(key));
    }
}

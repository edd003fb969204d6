namespace HeadShotEvents.ModelsLab;

public static class UriRoot
{
    /// <summary>
    /// The URL as a root for relative paths: without the trailing slash, <c>.../api/v6</c> +
    /// <c>image_editing/...</c> would drop the <c>v6</c>.
    /// </summary>
    public static Uri AsRoot(this Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}

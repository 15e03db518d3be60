namespace Clip.Checkpoints;

/// <summary>
/// An object of a TorchScript class (<c>__torch__.…</c>) read from a TorchScript archive's <c>data.pkl</c>:
/// only its class name and attribute dictionary. No code of the class is loaded or run.
/// </summary>
/// <param name="ClassName">Qualified class name, for example <c>__torch__.clip.model.___torch_mangle_3.LayerNorm</c>.</param>
internal sealed record TorchScriptObject(string ClassName)
{
    /// <summary>Attributes in the order the archive stores them (parameters, buffers, then submodules).</summary>
    public PickleDictionary Attributes { get; set; } = new();
}
